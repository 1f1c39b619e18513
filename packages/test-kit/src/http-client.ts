export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  body: T;
  text: string;
  setCookies: string[];
}

export interface RequestOptions {
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  bearer?: string;
}

/**
 * A small fetch wrapper that keeps cookies like a strict browser jar would: it stores what
 * Set-Cookie says (including deletions) and sends them back on every request to the same base.
 */
export class HttpClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.json !== undefined) headers['content-type'] ??= 'application/json';
    if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
    if (this.cookies.size > 0 && headers.cookie === undefined) headers.cookie = this.cookieHeader();
    const body = options.json !== undefined ? JSON.stringify(options.json) : options.body;
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body, redirect: 'manual' });
    const text = await response.text();
    const setCookies = response.headers.getSetCookie();
    this.remember(setCookies);
    return {
      status: response.status,
      headers: response.headers,
      body: parseJson(text) as T,
      text,
      setCookies,
    };
  }

  get<T = Record<string, unknown>>(path: string, options?: RequestOptions): Promise<Reply<T>> {
    return this.request<T>('GET', path, options);
  }

  post<T = Record<string, unknown>>(
    path: string,
    json?: unknown,
    options: RequestOptions = {},
  ): Promise<Reply<T>> {
    return this.request<T>('POST', path, json === undefined ? options : { ...options, json });
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private remember(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = /expires=Thu, 01 Jan 1970/i.test(line) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
