/** The widget's own words, per language; the messages themselves come localized from the engine's templates. */
export interface Strings {
  heading: string;
  loading: string;
  empty: string;
  offline: string;
  dismiss: (title: string) => string;
  helpfulQuestion: string;
  helpfulYes: string;
  helpfulNo: string;
  thanks: string;
  yourAnswer: string;
  yourRating: string;
  send: string;
  charactersLeft: (n: number) => string;
  answerRequired: string;
  newMessage: (title: string) => string;
  dismissed: (title: string) => string;
  sendFailed: string;
}

const en: Strings = {
  heading: "Your coach",
  loading: "Loading messages…",
  empty: "No messages right now. Keep going!",
  offline: "Can't reach your coach right now. Retrying…",
  dismiss: (title) => `Dismiss: ${title}`,
  helpfulQuestion: "Was this helpful?",
  helpfulYes: "Yes",
  helpfulNo: "No",
  thanks: "Thanks for your feedback.",
  yourAnswer: "Your answer",
  yourRating: "Your rating",
  send: "Send",
  charactersLeft: (n) => `${n} ${n === 1 ? "character" : "characters"} left`,
  answerRequired: "Please write an answer first.",
  newMessage: (title) => `New message from your coach: ${title}`,
  dismissed: (title) => `Dismissed: ${title}`,
  sendFailed: "Could not send. Please try again.",
};

const fr: Strings = {
  heading: "Votre coach",
  loading: "Chargement des messages…",
  empty: "Aucun message pour l'instant. Continuez !",
  offline: "Votre coach est injoignable pour le moment. Nouvel essai…",
  dismiss: (title) => `Fermer : ${title}`,
  helpfulQuestion: "Ce message vous a-t-il aidé ?",
  helpfulYes: "Oui",
  helpfulNo: "Non",
  thanks: "Merci pour votre avis.",
  yourAnswer: "Votre réponse",
  yourRating: "Votre note",
  send: "Envoyer",
  charactersLeft: (n) => `${n} caractère${n === 1 ? "" : "s"} restant${n === 1 ? "" : "s"}`,
  answerRequired: "Écrivez d'abord une réponse.",
  newMessage: (title) => `Nouveau message de votre coach : ${title}`,
  dismissed: (title) => `Fermé : ${title}`,
  sendFailed: "Envoi impossible. Réessayez.",
};

const es: Strings = {
  heading: "Tu coach",
  loading: "Cargando mensajes…",
  empty: "No hay mensajes por ahora. ¡Sigue así!",
  offline: "No se puede contactar con tu coach ahora. Reintentando…",
  dismiss: (title) => `Cerrar: ${title}`,
  helpfulQuestion: "¿Te ha resultado útil?",
  helpfulYes: "Sí",
  helpfulNo: "No",
  thanks: "Gracias por tu opinión.",
  yourAnswer: "Tu respuesta",
  yourRating: "Tu valoración",
  send: "Enviar",
  charactersLeft: (n) => `Quedan ${n} ${n === 1 ? "carácter" : "caracteres"}`,
  answerRequired: "Escribe una respuesta primero.",
  newMessage: (title) => `Nuevo mensaje de tu coach: ${title}`,
  dismissed: (title) => `Cerrado: ${title}`,
  sendFailed: "No se pudo enviar. Inténtalo de nuevo.",
};

const de: Strings = {
  heading: "Dein Coach",
  loading: "Nachrichten werden geladen…",
  empty: "Gerade keine Nachrichten. Weiter so!",
  offline: "Dein Coach ist gerade nicht erreichbar. Neuer Versuch…",
  dismiss: (title) => `Schließen: ${title}`,
  helpfulQuestion: "War das hilfreich?",
  helpfulYes: "Ja",
  helpfulNo: "Nein",
  thanks: "Danke für dein Feedback.",
  yourAnswer: "Deine Antwort",
  yourRating: "Deine Bewertung",
  send: "Senden",
  charactersLeft: (n) => `Noch ${n} ${n === 1 ? "Zeichen" : "Zeichen"}`,
  answerRequired: "Bitte schreib zuerst eine Antwort.",
  newMessage: (title) => `Neue Nachricht von deinem Coach: ${title}`,
  dismissed: (title) => `Geschlossen: ${title}`,
  sendFailed: "Senden fehlgeschlagen. Bitte erneut versuchen.",
};

const TABLE: Record<string, Strings> = { en, fr, es, de };

/** The strings for a BCP 47 tag (`fr-CA` → fr), English when the language is not one of ours. */
export function stringsFor(locale: string | undefined): { lang: string; strings: Strings } {
  const lang = (locale ?? "en").toLowerCase().split(/[-_]/)[0];
  return TABLE[lang] ? { lang, strings: TABLE[lang] } : { lang: "en", strings: en };
}
