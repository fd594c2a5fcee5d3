/**
 * Text for HTML and XML: the five characters that could start markup or end an attribute are
 * escaped, and the control characters XML 1.0 does not allow at all (a probe's stderr may carry
 * them) are dropped, so a JUnit parser never rejects the file.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
