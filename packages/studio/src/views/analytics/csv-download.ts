/**
 * Saves an analytics answer as a CSV file: the engine's own CSV (Accept: text/csv, so the columns are the
 * API's), fetched with the signed-in key and handed to the browser as a download.
 */
import type { StudioApi } from "../../api";

/** Fetches `path` as CSV and downloads it as `filename`. */
export async function downloadCsv(api: StudioApi, path: string, filename: string): Promise<void> {
  const text = await api.text(path, "text/csv");
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the click; the URL may go once the event loop has moved on.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
