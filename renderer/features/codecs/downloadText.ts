// Saves text as a file through the browser's download (the desktop app's window allows it too).
export function downloadText(fileName: string, text: string, type = 'text/x-c'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
