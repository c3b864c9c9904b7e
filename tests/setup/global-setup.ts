// Placeholder: prepares the test databases (filled in by the foundation work).
export default async function globalSetup(): Promise<void> {}
