/** Hands bytes held in memory to the browser as a download, under the given name. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked a little later, not at once: a browser may read the URL only after click() has returned.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
