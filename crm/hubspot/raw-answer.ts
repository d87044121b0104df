/** What apiRequest's fetch Response means, thrown in the shape the budget's error reading knows. */
export async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    // Not JSON (a proxy's error page): the text is the message.
  }
  if (!response.ok) {
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    throw Object.assign(new Error(`HubSpot answered HTTP ${response.status}`), {
      code: response.status,
      body,
      headers,
    });
  }
  return body as T;
}
