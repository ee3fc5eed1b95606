'use strict';
// The dashboard's views, routed by the URL's hash: #/login, #/instances, #/create, #/instances/{id}.

const $ = (selector) => document.querySelector(selector);
const main = $('#main');

/** Builds an element; text always goes in as text, never as markup. */
function h(tag, attrs, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) element.append(child);
  return element;
}

const announce = (text) => { $('#announce').textContent = text; };
const showError = (text) => { $('#error').textContent = text || ''; };
const statusCell = (value, field) => h('span', { class: `status status-${value}`, 'data-field': field }, value || '—');

/** A labelled input with a place for the API's message about it. */
function field(id, label, input, hint) {
  input.id = id;
  input.setAttribute('aria-describedby', `${id}-error${hint ? ` ${id}-hint` : ''}`);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input,
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    h('p', { class: 'field-error', id: `${id}-error` }));
}

function clearFieldErrors(form) {
  form.querySelectorAll('.field-error').forEach(p => { p.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach(i => i.removeAttribute('aria-invalid'));
}

/** Puts the API's message at the field it is about (the first that the message names), else above the page. */
function showAtField(form, message, fields) {
  const lower = message.toLowerCase();
  const match = fields.find(([, words]) => words.some(w => lower.includes(w)));
  const input = match && form.querySelector(`#${match[0]}`);
  if (!input) { showError(message); return; }
  input.setAttribute('aria-invalid', 'true');
  form.querySelector(`#${match[0]}-error`).textContent = message;
  input.focus();
}

// ---- live changes -------------------------------------------------------------------------------------------------

const live = { stop: null, poll: null, listeners: new Set(), statuses: new Map() };

function startLive() {
  if (live.stop || live.poll) return;
  live.stop = Api.stream((type, data) => {
    const item = data[type];
    if (!item) return;
    if (type === 'instance') noteStatus(item);
    live.listeners.forEach(listener => listener(type, item));
  }, () => {
    document.body.dataset.live = 'stream';
  }, () => {
    // A node without the stream: ask again every few seconds instead.
    document.body.dataset.live = 'poll';
    live.stop = null;
    live.poll = setInterval(() => live.listeners.forEach(listener => listener('poll', null)), 3000);
  });
}

function stopLive() {
  if (live.stop) live.stop();
  if (live.poll) clearInterval(live.poll);
  live.stop = live.poll = null;
  live.listeners.clear();
}

/** Says aloud (aria-live) when an instance's status changes. */
function noteStatus(instance) {
  const seen = `${instance.status}/${instance.operating_status || ''}`;
  const before = live.statuses.get(instance.id);
  live.statuses.set(instance.id, seen);
  if (before && before !== seen) announce(`${instance.name}: ${instance.status}${instance.operating_status ? `, ${instance.operating_status}` : ''}`);
}

function onLive(listener) { live.listeners.add(listener); }

// ---- views --------------------------------------------------------------------------------------------------------

function loginView() {
  stopLive();
  $('#nav').hidden = true;
  const form = h('form', { id: 'login-form', novalidate: true },
    h('h2', {}, 'Log in'),
    field('login-user', 'User name', h('input', { name: 'user', autocomplete: 'username', required: true })),
    field('login-password', 'Password', h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    field('login-project', 'Project', h('input', { name: 'project', required: true })),
    field('login-domain', 'Domain', h('input', { name: 'domain', value: 'default' }), 'Keystone domain id; "default" for the built-in identity.'),
    h('p', {}, h('button', { type: 'submit' }, 'Log in')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const values = Object.fromEntries(new FormData(form));
    try {
      await Api.login(values.user, values.password, values.project || values.user, values.domain);
      location.hash = '#/instances';
    } catch (e) {
      showAtField(form, e.message, [['login-project', ['project']], ['login-password', ['authenticate', 'password', 'unauthorized']]]);
    }
  });
  main.replaceChildren(form);
  form.querySelector('input').focus();
}

async function instancesView() {
  const tbody = h('tbody');
  const table = h('table', { id: 'instances' },
    h('caption', { class: 'hint' }, 'Status and operating status update as they change.'),
    h('thead', {}, h('tr', {}, ['Name', 'Status', 'Operating status', 'Datastore', 'Flavor', 'Volume (GB)'].map(t => h('th', { scope: 'col' }, t)))),
    tbody);
  main.replaceChildren(h('h2', {}, 'Instances'), h('p', {}, h('a', { href: '#/create', class: 'button' }, 'Create instance')), table);

  const rows = new Map();
  const render = (instance) => {
    const row = h('tr', { 'data-instance-id': instance.id },
      h('td', {}, h('a', { href: `#/instances/${instance.id}` }, instance.name)),
      h('td', {}, statusCell(instance.status, 'status')),
      h('td', {}, statusCell(instance.operating_status, 'operating_status')),
      h('td', {}, `${instance.datastore?.type ?? ''} ${instance.datastore?.version ?? ''}`),
      h('td', {}, instance.flavor?.id ?? ''),
      h('td', {}, String(instance.volume?.size ?? '')));
    const old = rows.get(instance.id);
    if (instance.status === 'DELETED') { old?.remove(); rows.delete(instance.id); return; }
    if (old) old.replaceWith(row); else tbody.append(row);
    rows.set(instance.id, row);
  };
  const load = async () => {
    const { instances } = await Api.get('/instances');
    const ids = new Set(instances.map(i => i.id));
    for (const [id, row] of rows) if (!ids.has(id)) { row.remove(); rows.delete(id); }
    instances.forEach(i => { noteStatus(i); render(i); });
  };
  onLive((type, item) => type === 'poll' ? load() : type === 'instance' && render(item));
  await load();
}

async function createView(query) {
  const shown = location.hash; // the form is drawn only if the user is still here once the catalog came
  const restoreFrom = query.get('backup');
  const [{ flavors }, { datastores }, configurations] = await Promise.all([
    Api.get('/flavors'), Api.get('/datastores'), Api.get('/configurations').catch(() => ({ configurations: [] }))]);
  const active = datastores.filter(d => (d.versions || []).some(v => v.active !== 0 && v.active !== false));
  const option = (value, text, selected) => h('option', { value, selected }, text);
  const datastore = h('select', { name: 'datastore' }, active.map(d => option(d.name, d.name)));
  const version = h('select', { name: 'version' });
  const fillVersions = () => {
    const chosen = active.find(d => d.name === datastore.value);
    version.replaceChildren(...(chosen?.versions || []).filter(v => v.active !== 0 && v.active !== false).map(v => option(v.name, v.name)));
  };
  datastore.addEventListener('change', fillVersions);
  // A restore is of the backup's datastore and version.
  const backup = restoreFrom ? (await Api.get(`/backups/${encodeURIComponent(restoreFrom)}`)).backup : null;
  if (backup) datastore.value = backup.datastore.type;
  fillVersions();
  if (backup) version.value = backup.datastore.version;

  const form = h('form', { id: 'create-form', novalidate: true },
    h('h2', {}, restoreFrom ? 'Restore a backup into a new instance' : 'Create instance'),
    backup ? h('p', {}, 'From backup ', h('strong', {}, backup.name), ` of ${backup.datastore.type} ${backup.datastore.version} (`, h('code', {}, backup.id), ')') : null,
    field('create-name', 'Name', h('input', { name: 'name', required: true })),
    field('create-flavor', 'Flavor', h('select', { name: 'flavor' },
      flavors.map(f => option(f.id, `${f.name} (${f.ram} MB RAM${f.vcpus ? `, ${f.vcpus} vCPU` : ''})`)))),
    field('create-datastore', 'Datastore', datastore),
    field('create-version', 'Datastore version', version),
    field('create-volume', 'Volume size (GB)', h('input', { name: 'volume', type: 'number', min: 1, value: 1, inputmode: 'numeric' })),
    field('create-configuration', 'Configuration group', h('select', { name: 'configuration' },
      option('', 'None'), configurations.configurations.map(c => option(c.id, c.name)))),
    restoreFrom ? null : h('fieldset', {}, h('legend', {}, 'Initial database and user (optional)'),
      field('create-database', 'Database name', h('input', { name: 'database' })),
      field('create-user', 'User name', h('input', { name: 'user', autocomplete: 'off' })),
      field('create-password', 'User password', h('input', { name: 'password', type: 'password', autocomplete: 'new-password' }))),
    h('p', {}, h('button', { type: 'submit' }, restoreFrom ? 'Restore' : 'Create')));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    showError('');
    const v = Object.fromEntries(new FormData(form));
    const instance = {
      name: v.name, flavorRef: v.flavor, volume: { size: v.volume },
      datastore: { type: v.datastore, version: v.version },
    };
    if (v.configuration) instance.configuration = v.configuration;
    if (restoreFrom) instance.restorePoint = { backupRef: restoreFrom };
    if (v.database) instance.databases = [{ name: v.database }];
    if (v.user) instance.users = [{ name: v.user, password: v.password, databases: v.database ? [{ name: v.database }] : [] }];
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const created = await Api.post('/instances', { instance });
      announce(`${created.instance.name}: ${created.instance.status}`);
      location.hash = `#/instances/${created.instance.id}`;
    } catch (e) {
      showAtField(form, e.message, [
        ['create-password', ['password']], ['create-user', ['user']], ['create-database', ['database']],
        ['create-version', ['version']], ['create-datastore', ['datastore']], ['create-flavor', ['flavor']],
        ['create-volume', ['volume', 'gb']], ['create-configuration', ['configuration']], ['create-name', ['name']]]);
    } finally {
      button.disabled = false;
    }
  });
  if (location.hash === shown) main.replaceChildren(form);
}

/** How a client connects: host and port as the API gives them, the engine's URL scheme, a user and database if any. */
function connectionString(instance, user, database) {
  const address = instance.addresses?.[0];
  const host = address?.address ?? instance.hostname ?? instance.ip?.[0];
  if (!host) return null;
  const type = instance.datastore?.type ?? '';
  const scheme = type.startsWith('postgres') ? 'postgresql' : type === 'redis' ? 'redis' : 'mysql';
  const port = address?.port ?? { postgresql: 5432, redis: 6379 }[scheme] ?? 3306;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${user ? `${encodeURIComponent(user)}@` : ''}${hostPart}:${port}/${database ? encodeURIComponent(database) : ''}`;
}

async function instanceView(id) {
  const base = `/instances/${encodeURIComponent(id)}`;
  const summary = h('section', { id: 'summary', 'aria-labelledby': 'summary-title' });
  const actions = h('section', { id: 'actions', 'aria-labelledby': 'actions-title' });
  const databases = h('section', { id: 'databases', 'aria-labelledby': 'databases-title' });
  const users = h('section', { id: 'users', 'aria-labelledby': 'users-title' });
  const backups = h('section', { id: 'backups', 'aria-labelledby': 'backups-title' });
  const history = h('section', { id: 'history', 'aria-labelledby': 'history-title' });
  const title = h('h2', {}, 'Instance');
  main.replaceChildren(title, summary, actions, databases, users, backups, history);
  let current = null;
  let gone = false;
  let engineRead = false; // databases and users listed once the engine answered

  const act = async (what, call) => {
    showError('');
    try { await call(); } catch (e) { showError(e.message); return false; }
    announce(what);
    await refresh();
    return true;
  };

  const connect = h('dd', { id: 'connect' });
  /** The connection string names the first database and user shown, so it is drawn again whenever they are. */
  const showConnection = () => {
    if (!current) return;
    const db = databases.querySelector('td[data-database]')?.dataset.database;
    const user = users.querySelector('td[data-user]')?.dataset.user;
    const connection = connectionString(current, user, db);
    const copy = h('button', { type: 'button', class: 'secondary', onclick: async () => {
      try { await navigator.clipboard.writeText(connection); announce('Connection string copied'); }
      catch { announce('Copy is not allowed here: select the text and copy it'); }
    } }, 'Copy');
    connect.replaceChildren(...(connection ? [h('code', { id: 'connection' }, connection), ' ', copy] : ['No address yet']));
  };

  const renderSummary = (instance) => {
    current = instance;
    title.textContent = `Instance ${instance.name}`;
    summary.replaceChildren(h('h3', { id: 'summary-title' }, 'Overview'), h('dl', {},
      h('dt', {}, 'Status'), h('dd', {}, statusCell(instance.status, 'status')),
      h('dt', {}, 'Operating status'), h('dd', {}, statusCell(instance.operating_status, 'operating_status')),
      h('dt', {}, 'Datastore'), h('dd', {}, `${instance.datastore?.type} ${instance.datastore?.version}`),
      h('dt', {}, 'Flavor'), h('dd', { 'data-field': 'flavor' }, instance.flavor?.id),
      h('dt', {}, 'Volume'), h('dd', { 'data-field': 'volume' }, `${instance.volume?.size} GB${instance.volume?.used !== undefined ? ` (${instance.volume.used} GB used)` : ''}`),
      h('dt', {}, 'Configuration group'), h('dd', { 'data-field': 'configuration' }, instance.configuration ? h('span', {}, instance.configuration.name ?? instance.configuration.id) : 'None'),
      h('dt', {}, 'Created'), h('dd', {}, instance.created ?? ''),
      instance.fault ? [h('dt', {}, 'Fault'), h('dd', { class: 'error' }, instance.fault.message)] : null,
      h('dt', {}, 'Connect'), connect));
    showConnection();
  };

  const renderActions = async () => {
    const { flavors } = await Api.get('/flavors');
    const flavor = h('select', { id: 'resize-flavor' }, flavors.map(f => h('option', { value: f.id, selected: f.id === current?.flavor?.id }, f.name)));
    const volume = h('input', { id: 'resize-volume', type: 'number', min: 1, value: current?.volume?.size ?? 1 });
    const confirm = h('dialog', { id: 'confirm-delete', 'aria-labelledby': 'confirm-title' },
      h('h3', { id: 'confirm-title' }, `Delete ${current?.name}?`),
      h('p', {}, 'Its server, volume and data go; its backups stay.'),
      h('form', { method: 'dialog', class: 'row' },
        h('button', { value: 'cancel', class: 'secondary', autofocus: true }, 'Cancel'),
        h('button', { value: 'delete', class: 'danger', id: 'confirm-delete-button' }, 'Delete')));
    confirm.addEventListener('close', () => {
      if (confirm.returnValue === 'delete') act(`${current.name}: deleting`, () => Api.del(base));
    });
    actions.replaceChildren(h('h3', { id: 'actions-title' }, 'Actions'),
      h('div', { class: 'row' },
        h('button', { type: 'button', id: 'restart', onclick: () => act(`${current.name}: restarting`, () => Api.post(`${base}/action`, { restart: {} })) }, 'Restart'),
        h('button', { type: 'button', id: 'delete', class: 'danger', onclick: () => confirm.showModal() }, 'Delete…')),
      h('div', { class: 'row' },
        h('div', {}, h('label', { for: 'resize-flavor' }, 'Flavor'), flavor),
        h('button', { type: 'button', id: 'resize-flavor-button', onclick: () => act(`${current.name}: resizing to ${flavor.value}`, () => Api.post(`${base}/action`, { resize: { flavorRef: flavor.value } })) }, 'Resize flavor'),
        h('div', {}, h('label', { for: 'resize-volume' }, 'Volume size (GB)'), volume),
        h('button', { type: 'button', id: 'resize-volume-button', onclick: () => act(`${current.name}: resizing the volume to ${volume.value} GB`, () => Api.post(`${base}/action`, { resize: { volume: { size: volume.value } } })) }, 'Resize volume')),
      confirm);
  };

  /** A section with a heading, a list that live changes redraw, and a form drawn once (so typing is never lost). */
  const section = (element, heading, form) => {
    const list = h('div', { class: 'list' });
    element.replaceChildren(h('h3', { id: `${element.id}-title` }, heading), list, form || '');
    return (content) => list.replaceChildren(content);
  };
  const table = (headings, rows) => h('table', {},
    h('thead', {}, h('tr', {}, headings.map(t => h('th', { scope: 'col' }, t ?? h('span', { class: 'skip' }, 'Actions'))))),
    h('tbody', {}, rows));
  /** Submits once: the form's inputs are cleared when the API took it. */
  const submitted = (form, what, call) => (event) => {
    event.preventDefault();
    act(what(), call).then(ok => { if (ok) form.reset(); });
  };

  const databaseName = h('input', { id: 'new-database', required: true });
  const databaseForm = h('form', { class: 'row' },
    h('div', {}, h('label', { for: 'new-database' }, 'New database'), databaseName), h('button', { type: 'submit' }, 'Add database'));
  databaseForm.addEventListener('submit', submitted(databaseForm, () => `database ${databaseName.value} added`,
    () => Api.post(`${base}/databases`, { databases: [{ name: databaseName.value }] })));
  const showDatabases = section(databases, 'Databases', databaseForm);
  const renderDatabases = async () => {
    const list = (await Api.get(`${base}/databases`)).databases;
    showDatabases(list.length ? table(['Name', null], list.map(d => h('tr', {}, h('td', { 'data-database': d.name }, d.name),
      h('td', {}, h('button', { type: 'button', class: 'secondary', 'aria-label': `Delete database ${d.name}`,
        onclick: () => act(`database ${d.name} deleted`, () => Api.del(`${base}/databases/${encodeURIComponent(d.name)}`)) }, 'Delete')))))
      : h('p', {}, 'No databases.'));
    showConnection();
  };

  const userName = h('input', { id: 'new-user', required: true, autocomplete: 'off' });
  const userPassword = h('input', { id: 'new-user-password', type: 'password', autocomplete: 'new-password', required: true });
  const userDatabase = h('input', { id: 'new-user-database' });
  const userForm = h('form', { class: 'row' },
    h('div', {}, h('label', { for: 'new-user' }, 'New user'), userName),
    h('div', {}, h('label', { for: 'new-user-password' }, 'Password'), userPassword),
    h('div', {}, h('label', { for: 'new-user-database' }, 'Database access'), userDatabase),
    h('button', { type: 'submit' }, 'Add user'));
  userForm.addEventListener('submit', submitted(userForm, () => `user ${userName.value} added`, () => Api.post(`${base}/users`, {
    users: [{ name: userName.value, password: userPassword.value, databases: userDatabase.value ? [{ name: userDatabase.value }] : [] }] })));
  const showUsers = section(users, 'Users', userForm);
  const renderUsers = async () => {
    const list = (await Api.get(`${base}/users`)).users;
    showUsers(list.length ? table(['Name', 'Host', 'Databases', null], list.map(u => h('tr', {},
      h('td', { 'data-user': u.name }, u.name), h('td', {}, u.host ?? '%'), h('td', {}, (u.databases || []).map(d => d.name).join(', ')),
      h('td', {}, h('button', { type: 'button', class: 'secondary', 'aria-label': `Delete user ${u.name}`,
        onclick: () => act(`user ${u.name} deleted`, () => Api.del(`${base}/users/${encodeURIComponent(u.name)}${u.host && u.host !== '%' ? `@${encodeURIComponent(u.host)}` : ''}`)) }, 'Delete')))))
      : h('p', {}, 'No users.'));
    showConnection();
  };

  const backupName = h('input', { id: 'new-backup', required: true });
  const backupForm = h('form', { class: 'row' },
    h('div', {}, h('label', { for: 'new-backup' }, 'Backup name'), backupName), h('button', { type: 'submit' }, 'Create backup'));
  backupForm.addEventListener('submit', submitted(backupForm, () => `backup ${backupName.value} started`,
    () => Api.post('/backups', { backup: { name: backupName.value, instance: id } })));
  const showBackups = section(backups, 'Backups', backupForm);
  const renderBackups = async () => {
    const list = (await Api.get(`${base}/backups`)).backups;
    showBackups(list.length ? table(['Name', 'Status', 'Size (GB)', 'Created', null], list.map(b => h('tr', { 'data-backup-id': b.id },
      h('td', {}, b.name), h('td', {}, statusCell(b.status, 'backup-status')), h('td', {}, b.size ?? ''), h('td', {}, b.created ?? ''),
      h('td', {}, b.status === 'COMPLETED' ? h('a', { href: `#/create?backup=${encodeURIComponent(b.id)}`, 'aria-label': `Restore ${b.name} into a new instance` }, 'Restore') : ''))))
      : h('p', {}, 'No backups.'));
  };

  const showHistory = section(history, 'History');
  const renderHistory = async () => {
    let entries = [];
    try {
      const body = await Api.get(`${base}/events?limit=1000`);
      entries = body.events ?? body.entries ?? [];
    } catch { /* a node without history */ }
    showHistory(entries.length ? table(['When', 'What', 'Task', 'Status', 'Who', 'Fault'], entries.map(e => h('tr', {},
      h('td', {}, e.created ?? ''), h('td', {}, e.type ?? ''), h('td', {}, e.task ?? ''), h('td', {}, e.status ?? ''),
      h('td', {}, e.user ?? ''), h('td', {}, e.fault ?? ''))))
      : h('p', {}, 'No history.'));
  };

  const here = location.hash;
  const markGone = () => {
    if (gone || location.hash !== here) return;
    gone = true;
    announce(`${current?.name ?? 'The instance'} is deleted`);
    main.replaceChildren(h('h2', {}, 'Instance deleted'), h('p', { id: 'gone' }, `${current?.name ?? id} is gone. `, h('a', { href: '#/instances' }, 'Back to instances')));
  };

  const refresh = async () => {
    if (gone) return;
    let instance;
    try { instance = (await Api.get(base)).instance; } catch (e) { if (e.status === 404) { markGone(); return; } throw e; }
    noteStatus(instance);
    renderSummary(instance);
    await Promise.all([
      Promise.all([renderDatabases(), renderUsers()]).then(() => { engineRead = instance.status === 'ACTIVE'; }, () => {
        // Not while the engine is not up; an ACTIVE one that did not answer is asked again shortly.
        if (instance.status === 'ACTIVE') setTimeout(() => { if (!engineRead && location.hash === here) refresh(); }, 2000);
      }),
      renderBackups(), renderHistory()]);
  };

  onLive(async (type, item) => {
    if (type === 'poll') { await refresh(); return; }
    if (type === 'instance' && item.id === id) {
      if (item.status === 'DELETED') { markGone(); return; }
      renderSummary({ ...current, ...item });
      if (item.status === 'ACTIVE' && !engineRead) await refresh(); // the engine is up: its databases and users can be read
      else await renderHistory();
    }
    if (type === 'backup' && (item.instance_id === id || item.instance === id)) await renderBackups();
  });
  await refresh();
  await renderActions();
}

// ---- routing ------------------------------------------------------------------------------------------------------

async function route() {
  showError('');
  const [path, search] = location.hash.slice(1).split('?');
  const query = new URLSearchParams(search || '');
  if (!Api.session) { if (path !== '/login') { location.hash = '#/login'; return; } loginView(); return; }
  $('#nav').hidden = false;
  $('#who').textContent = `${Api.session.user} (${Api.session.project})`;
  live.listeners.clear();
  startLive();
  try {
    const instance = path.match(/^\/instances\/([^/]+)$/);
    if (instance) await instanceView(decodeURIComponent(instance[1]));
    else if (path === '/create') await createView(query);
    else if (path === '/login') location.hash = '#/instances';
    else await instancesView();
  } catch (e) {
    showError(e.message);
  }
  main.focus({ preventScroll: true });
}

$('#logout').addEventListener('click', () => { Api.logout(); location.hash = '#/login'; });
window.addEventListener('hashchange', route);
route();
