'use strict';
// The API client of the page: the session, calls with X-Auth-Token, Trove's error bodies, and the live stream.

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

const Api = {
  session: JSON.parse(sessionStorage.getItem('trove.session') || 'null'),

  /** Keystone v3 password login against the node's identity (its own, or the Keystone it trusts). */
  async login(user, password, project, domain) {
    const config = await (await fetch('config.json')).json();
    const scope = { project: { name: project, domain: { id: domain || 'default' } } };
    const body = { auth: { identity: { methods: ['password'], password: { user: { name: user, domain: { id: domain || 'default' }, password } } }, scope } };
    const response = await fetch(`${config.identity}/auth/tokens`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    if (!response.ok) throw new ApiError(response.status, await Api.messageOf(response));
    const token = response.headers.get('X-Subject-Token');
    const issued = (await response.json()).token;
    Api.session = { token, project: issued.project.id, user: issued.user.name };
    sessionStorage.setItem('trove.session', JSON.stringify(Api.session));
    return Api.session;
  },

  logout() { Api.session = null; sessionStorage.removeItem('trove.session'); },

  /** A call under /v1.0/{project}; answers the parsed body (or null), or throws an ApiError with the API's message. */
  async call(method, path, body) {
    const response = await fetch(`/v1.0/${encodeURIComponent(Api.session.project)}${path}`, {
      method,
      headers: { 'X-Auth-Token': Api.session.token, 'Accept': 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 401) { Api.logout(); location.hash = '#/login'; }
    if (!response.ok) throw new ApiError(response.status, await Api.messageOf(response));
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  },

  get: (path) => Api.call('GET', path),
  post: (path, body) => Api.call('POST', path, body || {}),
  put: (path, body) => Api.call('PUT', path, body),
  del: (path) => Api.call('DELETE', path),

  /** Trove's {"badRequest": {"message"}} (any fault name), Keystone's {"error": {"message"}}, or the status line. */
  async messageOf(response) {
    try {
      const body = await response.json();
      const fault = Object.values(body)[0];
      if (fault && fault.message) return fault.message;
    } catch { /* not JSON */ }
    return `${response.status} ${response.statusText}`;
  },

  /**
   * The tenant's live changes (Server-Sent Events read through fetch: EventSource cannot send the token). Calls
   * onEvent(type, data) for each message and reconnects with Last-Event-ID; answers a function that stops it.
   * onOpen() is called on each (re)connection; onUnavailable() when the node has no stream (404), so the page can poll instead.
   */
  stream(onEvent, onOpen, onUnavailable) {
    let lastId = null, stopped = false, controller = null;
    const run = async () => {
      while (!stopped && Api.session) {
        controller = new AbortController();
        try {
          const headers = { 'X-Auth-Token': Api.session.token, 'Accept': 'text/event-stream' };
          if (lastId !== null) headers['Last-Event-ID'] = lastId;
          const response = await fetch(`/v1.0/${encodeURIComponent(Api.session.project)}/events/stream`, { headers, signal: controller.signal });
          if (response.status === 404 || response.status === 405) { onUnavailable(); return; }
          if (response.status === 401) { Api.logout(); location.hash = '#/login'; return; }
          if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
          onOpen();
          await Api.readEvents(response.body, (id, type, data) => {
            if (id !== null) lastId = id;
            try { onEvent(type, JSON.parse(data)); } catch (e) { console.error(e); }
          });
        } catch (e) {
          if (stopped) return;
        }
        await new Promise(r => setTimeout(r, 1000));
      }
    };
    run();
    return () => { stopped = true; if (controller) controller.abort(); };
  },

  /** The text/event-stream format: fields per line, a blank line ends a message. */
  async readEvents(body, onMessage) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '', id = null, type = 'message', data = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
        if (line === '') {
          if (data.length) onMessage(id, type, data.join('\n'));
          type = 'message'; data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') id = val;
        else if (field === 'event') type = val;
        else if (field === 'data') data.push(val);
      }
    }
  },
};
