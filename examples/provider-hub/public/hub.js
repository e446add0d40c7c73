// The Provider Hub page: plain DOM, no framework, no build step.
//
// Everything it shows comes from the hub's admin API; keys only ever travel
// from the key field to `PUT /api/configs/:id/key`, and the field is
// cleared right after. Text from the API (config names, hints) is set as
// text, never as HTML.

const state = {
  session: { tenant: 'acme', role: 'owner' },
  permissions: new Set(),
  providers: [],
  results: new Map(), // card or config id -> { text, ok }: the last action's outcome, shown under it
  audit: { items: [], nextCursor: null },
  resolveProvider: 'openai',
  busy: false,
};

const USERS = { owner: 'alice', admin: 'bob', member: 'carol' };
const TENANTS = { acme: 'Acme Inc.', globex: 'Globex' };

// ---------------------------------------------------------------- helpers

/** Builds an element: h('p', { class: 'x' }, 'text', child). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A call to the hub's API as the demo caller; throws an Error with the API's code and message. */
async function api(method, path, body) {
  const headers = {
    'x-demo-tenant': state.session.tenant,
    'x-demo-user': USERS[state.session.role],
    'x-demo-role': state.session.role,
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(readable(data.error?.message ?? `HTTP ${response.status}`));
    error.code = data.error?.code ?? 'HTTP_' + response.status;
    error.status = response.status;
    throw error;
  }
  return data;
}

/** byokit messages start with "[byokit] [vault] "; the page shows the rest. */
function readable(message) {
  return message.replace(/^(\[[a-z-]+\] )+/, '');
}

function announce(text) {
  const announcer = document.getElementById('announcer');
  announcer.textContent = '';
  // A new text node each time, so screen readers announce a repeat too.
  setTimeout(() => (announcer.textContent = text), 30);
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

function ago(iso) {
  const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
  const steps = [
    [60, 'second'],
    [60, 'minute'],
    [24, 'hour'],
    [30, 'day'],
    [12, 'month'],
  ];
  let value = seconds;
  for (const [size, unit] of steps) {
    if (Math.abs(value) < size) return unit === 'second' && Math.abs(value) < 10 ? 'just now' : relative.format(value, unit);
    value = Math.round(value / size);
  }
  return relative.format(value, 'year');
}

function time(iso) {
  if (!iso) return 'Never';
  return h('time', { datetime: iso, title: new Date(iso).toLocaleString() }, ago(iso));
}

const can = (permission) => state.permissions.has(permission);

// ---------------------------------------------------------------- status words

const VALIDATION_WORDS = {
  valid: ['Valid', 'status-valid'],
  invalid_key: ['Key refused', 'status-bad'],
  forbidden_model: ['Model not available', 'status-warn'],
  rate_limited: ['Rate limited', 'status-warn'],
  unreachable: ['Provider unreachable', 'status-warn'],
  unexpected: ['Unexpected answer', 'status-warn'],
};

/** The badge of a config: its key state, and "Failing" when traffic or a validation found the key refused. */
function badgeOf(config) {
  if (config.keyState === 'active' && config.health.state === 'failing') return ['Failing', 'badge-bad'];
  return (
    {
      active: ['Active', 'badge-active'],
      disabled: ['Disabled', ''],
      missing: ['No key', 'badge-warn'],
      expired: ['Expired', 'badge-warn'],
      undecryptable: ['Re-enter key', 'badge-bad'],
    }[config.keyState] ?? [config.keyState, '']
  );
}

const EVENT_WORDS = {
  'config.created': 'Config created',
  'config.updated': 'Config edited',
  'config.deleted': 'Config deleted',
  'config.default_changed': 'Default changed',
  'key.set': 'Key added',
  'key.replaced': 'Key replaced',
  'key.removed': 'Key removed',
  'key.enabled': 'Key enabled',
  'key.disabled': 'Key disabled',
  'key.validated': 'Key validated',
  'key.rewrapped': 'Key re-wrapped',
  'key.failing': 'Key failing',
  'key.recovered': 'Key recovered',
  'access_key.created': 'Access key issued',
  'access_key.revoked': 'Access key revoked',
  'entitlement.changed': 'Entitlement changed',
};

const SKIP_WORDS = {
  disabled: 'disabled',
  missing_key: 'no key stored',
  expired: 'key expired',
  provider_mismatch: 'another provider',
  not_routed: 'does not route this provider',
  not_default: 'not the default',
  older: 'an older config',
  fallback_none: 'no platform fallback',
  no_platform_key: 'no platform key for this provider',
  no_provider: 'no provider named',
  not_entitled: 'BYOK not included in the plan',
};

const STEP_WORDS = {
  explicit: 'Named config',
  custom: 'Custom endpoint',
  byok: 'Your key',
  default: 'Default config',
  recent: 'Newest config',
  platform: 'Platform key',
};

// ---------------------------------------------------------------- loading

async function loadSession() {
  const session = await api('GET', '/session');
  state.permissions = new Set(session.permissions);
  document.getElementById('whoami').textContent = `Signed in as ${session.actor.id} (${session.actor.role}) in ${TENANTS[session.tenantId] ?? session.tenantId}`;
  document.getElementById('readonly-note').hidden = can('key:manage');
  document.getElementById('test-request').disabled = !can('key:manage'); // a test request spends the key
}

async function loadAll() {
  const errorBanner = document.getElementById('load-error');
  try {
    await loadSession();
    const [{ providers }, audit, accessKeys] = await Promise.all([
      api('GET', '/providers'),
      api('GET', '/audit?limit=6'),
      can('access:manage') ? api('GET', '/access-keys?limit=20') : null,
    ]);
    state.providers = providers;
    state.audit = audit;
    errorBanner.hidden = true;
    render();
    renderAudit();
    renderAccessKeys(accessKeys);
    await loadResolution();
  } catch (error) {
    errorBanner.textContent = `Could not load the hub: ${error.message}`;
    errorBanner.hidden = false;
  }
}

async function loadResolution() {
  const target = document.getElementById('resolve-result');
  const query = state.resolveProvider ? `?provider=${encodeURIComponent(state.resolveProvider)}` : '';
  try {
    const answer = await api('GET', `/resolve${query}`);
    target.replaceChildren(routeView(answer));
  } catch (error) {
    target.replaceChildren(h('p', { class: 'result result-bad' }, error.message));
  }
}

// ---------------------------------------------------------------- actions

/**
 * Runs an action for a card, shows its outcome under it (or under the
 * config the action created: `resultId` in the outcome), then reloads everything.
 */
async function act(resultId, work) {
  if (state.busy) return;
  state.busy = true;
  document.body.setAttribute('aria-busy', 'true');
  let focusId = null;
  try {
    const { text, ok = true, resultId: under = resultId, focus = null } = await work();
    state.results.set(under, { text, ok });
    focusId = focus;
    announce(text);
  } catch (error) {
    const text = error.message;
    state.results.set(resultId, { text, ok: false });
    announce(text);
  } finally {
    state.busy = false;
    document.body.removeAttribute('aria-busy');
  }
  await loadAll();
  // An action that replaced the focused control (Connect, Delete) says where keyboard focus goes next.
  if (focusId) document.getElementById(focusId)?.focus();
}

async function connect(provider, key) {
  const config = await api('POST', '/configs', { name: provider.label, provider: provider.id });
  const view = await api('PUT', `/configs/${config.id}/key`, { key });
  return { text: `Key saved for ${provider.label}: ${view.keyHint}`, resultId: config.id, focus: `validate-${config.id}` };
}

async function saveKey(config, key) {
  const view = await api('PUT', `/configs/${config.id}/key`, { key });
  return { text: `Key ${config.keyHint ? 'replaced' : 'saved'}: ${view.keyHint}` };
}

async function validate(config) {
  const { result } = await api('POST', `/configs/${config.id}/validate`);
  const [word] = VALIDATION_WORDS[result.status] ?? [result.status];
  const detail = result.httpStatus ? ` (HTTP ${result.httpStatus})` : '';
  return { text: `Validation: ${word}${detail}`, ok: result.status === 'valid' };
}

// ---------------------------------------------------------------- rendering

/** Re-renders the cards, keeping keyboard focus on the control that had it. */
function render() {
  const focusedId = document.activeElement?.id;
  const list = document.getElementById('provider-list');
  list.replaceChildren(...state.providers.map(providerCard));
  list.setAttribute('aria-busy', 'false');
  if (focusedId) document.getElementById(focusedId)?.focus();
  renderResolveOptions();
}

function providerCard(provider) {
  const titleId = `card-${provider.id}-title`;
  const prefix = provider.keyPrefixes.at(-1);
  const configs = provider.configs;
  const headBadge = configs.length === 0 ? h('span', { class: 'badge' }, 'Not connected') : configs.length === 1 ? badge(configs[0]) : h('span', { class: 'badge' }, `${configs.length} configs`);
  return h(
    'article',
    { class: 'card', 'aria-labelledby': titleId, 'data-provider': provider.id },
    h(
      'div',
      { class: 'card-head' },
      h('span', { class: `monogram monogram-${provider.id}`, 'aria-hidden': 'true' }, provider.label.slice(0, 1)),
      h('div', { class: 'card-title' }, h('h3', { id: titleId }, provider.label), h('p', {}, prefix ? `Keys start with ${prefix}` : 'API key')),
      headBadge,
    ),
    configs.length === 0 ? connectSection(provider) : configs.map((config) => configSection(provider, config, configs.length > 1 || config.name !== provider.label)),
  );
}

function badge(config) {
  const [word, tone] = badgeOf(config);
  return h('span', { class: `badge ${tone}`, 'data-testid': 'status' }, word);
}

function resultLine(id) {
  const result = state.results.get(id);
  return h('p', { class: `result ${result ? (result.ok ? 'result-ok' : 'result-bad') : ''}`, id: `result-${id}`, 'data-testid': 'result' }, result?.text ?? '');
}

function connectSection(provider) {
  const inputId = `key-${provider.id}`;
  const allowed = can('config:write') && can('key:manage');
  const form = h(
    'form',
    {
      class: 'key-form',
      onsubmit: (event) => {
        event.preventDefault();
        const input = form.querySelector('input');
        const key = input.value.trim();
        input.value = ''; // the key leaves the page once, and the field never holds it again
        if (!key) return;
        act(provider.id, () => connect(provider, key));
      },
    },
    h('label', { for: inputId }, `${provider.label} API key`),
    h(
      'div',
      { class: 'row' },
      h('input', { id: inputId, type: 'password', name: 'key', autocomplete: 'off', spellcheck: 'false', placeholder: 'Paste your key', disabled: !allowed, required: true }),
      h('button', { type: 'submit', class: 'btn btn-primary', id: `connect-${provider.id}`, disabled: !allowed }, 'Connect'),
    ),
    h('p', { class: 'field-hint' }, 'Encrypted before it is stored. It will not be shown again.'),
  );
  return h('div', { class: 'config' }, form, resultLine(provider.id));
}

function configSection(provider, config, showName) {
  const id = config.id;
  const validation = config.lastValidationStatus ? VALIDATION_WORDS[config.lastValidationStatus] ?? [config.lastValidationStatus, ''] : null;
  const health =
    config.health.state === 'failing'
      ? h('span', { class: 'status-bad' }, `Failing since `, time(config.health.firstFailureAt))
      : h('span', {}, 'OK');

  const keyInput = h('input', {
    id: `key-${id}`,
    type: 'password',
    name: 'key',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: config.keyHint ? 'Paste a new key' : 'Paste your key',
    disabled: !can('key:manage'),
    required: true,
  });
  const keyForm = h(
    'form',
    {
      class: 'key-form',
      onsubmit: (event) => {
        event.preventDefault();
        const key = keyInput.value.trim();
        keyInput.value = '';
        if (!key) return;
        act(id, () => saveKey(config, key));
      },
    },
    h('label', { for: `key-${id}` }, config.keyHint ? 'Replace key' : 'API key'),
    h('div', { class: 'row' }, keyInput, h('button', { type: 'submit', class: 'btn btn-primary', id: `save-${id}`, disabled: !can('key:manage') }, config.keyHint ? 'Replace' : 'Save key')),
  );

  const enabled = h('input', {
    type: 'checkbox',
    role: 'switch',
    id: `enabled-${id}`,
    checked: config.enabled,
    disabled: !can('key:manage'),
    onchange: (event) => {
      const on = event.target.checked;
      act(id, async () => {
        await api('PUT', `/configs/${id}/enabled`, { enabled: on });
        return { text: on ? 'Key enabled: requests use it again' : 'Key disabled: requests fall back to the next key' };
      });
    },
  });

  return h(
    'div',
    { class: 'config', role: 'group', 'aria-label': `${provider.label} config ${config.name}`, 'data-config': id },
    showName ? h('div', { class: 'config-name' }, h('span', {}, config.name), badge(config)) : null,
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, 'Key'), h('dd', {}, config.keyHint ? h('code', { 'data-testid': 'hint' }, config.keyHint) : h('span', { class: 'muted' }, 'None stored'))),
      h(
        'div',
        {},
        h('dt', {}, 'Last validated'),
        h('dd', { 'data-testid': 'validated' }, config.lastValidatedAt ? [time(config.lastValidatedAt), ' · ', h('span', { class: validation[1] }, validation[0])] : h('span', { class: 'muted' }, 'Never')),
      ),
      h('div', {}, h('dt', {}, 'Health'), h('dd', {}, health, ' · last used ', config.lastUsedAt ? time(config.lastUsedAt) : 'never')),
      config.model ? h('div', {}, h('dt', {}, 'Model'), h('dd', {}, config.model)) : null,
    ),
    h(
      'div',
      { class: 'controls' },
      h('label', { class: 'switch', for: `enabled-${id}` }, enabled, 'Enabled'),
      h(
        'button',
        {
          type: 'button',
          class: 'default-toggle',
          id: `default-${id}`,
          'aria-pressed': String(config.isDefault),
          disabled: !can('config:write'),
          title: 'The default serves requests that name no provider',
          onclick: () =>
            act(id, async () => {
              await api('PUT', `/configs/${id}/default`, { isDefault: !config.isDefault });
              return { text: config.isDefault ? `${config.name} is no longer the default` : `${config.name} is now the default` };
            }),
        },
        h('span', { class: 'star', 'aria-hidden': 'true' }, config.isDefault ? '★' : '☆'),
        'Default',
      ),
    ),
    keyForm,
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { type: 'button', class: 'btn btn-secondary', id: `validate-${id}`, disabled: !can('key:manage') || !config.keyHint, onclick: () => act(id, () => validate(config)) },
        'Validate',
      ),
      h('span', { class: 'spacer' }),
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-ghost btn-danger',
          id: `remove-${id}`,
          disabled: !can('key:manage') || !config.keyHint,
          onclick: () =>
            act(id, async () => {
              await api('DELETE', `/configs/${id}/key`);
              return { text: 'Key removed' };
            }),
        },
        'Remove key',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-ghost btn-danger',
          id: `delete-${id}`,
          disabled: !can('config:delete'),
          onclick: () => {
            if (!window.confirm(`Delete the ${provider.label} config "${config.name}" and its key?`)) return;
            act(provider.id, async () => {
              await api('DELETE', `/configs/${id}`);
              return { text: `Deleted ${config.name}`, focus: `key-${provider.id}` };
            });
          },
        },
        'Delete',
      ),
    ),
    resultLine(id),
  );
}

function renderResolveOptions() {
  const select = document.getElementById('resolve-provider');
  const options = [h('option', { value: '' }, 'Any provider (the default)'), ...state.providers.map((p) => h('option', { value: p.id }, p.label))];
  select.replaceChildren(...options);
  select.value = state.resolveProvider;
}

function routeView(answer) {
  const r = answer.resolution;
  const trace = answer.resolution?.trace ?? answer.trace ?? [];
  const providerName = (id) => state.providers.find((p) => p.id === id)?.label ?? id;
  const asked = state.resolveProvider ? `${providerName(state.resolveProvider)} requests` : 'Requests that name no provider';
  let headline;
  if (!r) {
    headline = [h('span', { class: 'source source-none' }, 'No key'), h('p', { class: 'route-line' }, `${asked} would be refused: no key applies.`)];
  } else {
    const word = { byok: 'Your key', custom: 'Custom endpoint', platform: 'Platform key' }[r.source] ?? r.source;
    const from =
      r.source === 'platform'
        ? ', the platform’s own key'
        : [', from the ', h('strong', {}, r.configName), r.provider === state.resolveProvider ? ' config' : ` config (${providerName(r.provider)})`];
    headline = [
      h('span', { class: `source source-${r.source}`, 'data-testid': 'source' }, word),
      h('p', { class: 'route-line' }, `${asked} use `, h('code', { 'data-testid': 'route-hint' }, r.keyHint), from, '.'),
    ];
  }
  const steps = trace.map((entry) => {
    const what = [STEP_WORDS[entry.step] ?? entry.step, entry.configName ? ` “${entry.configName}”` : ''];
    const mark = entry.outcome === 'selected' ? '✓' : '–';
    const why = entry.outcome === 'selected' ? 'chosen' : entry.reason ? SKIP_WORDS[entry.reason] ?? entry.reason : 'none set up';
    return h('li', { class: entry.outcome }, h('span', { class: 'mark', 'aria-hidden': 'true' }, mark), h('span', {}, ...what, h('span', { class: 'why' }, ` — ${why}`)));
  });
  return h('div', { class: 'route', 'data-testid': 'route' }, ...headline, steps.length ? h('ol', { class: 'trace', 'aria-label': 'Why' }, steps) : null);
}

function configName(id) {
  for (const provider of state.providers) for (const config of provider.configs) if (config.id === id) return config.name;
  return null;
}

function auditDetail(event) {
  const d = event.detail ?? {};
  if (event.type === 'key.validated') return (VALIDATION_WORDS[d.status]?.[0] ?? String(d.status)) + (d.httpStatus ? ` (HTTP ${d.httpStatus})` : '');
  if (event.type === 'config.default_changed') return d.isDefault ? 'made default' : 'no longer default';
  if (event.type === 'key.failing' || event.type === 'key.recovered') return [d.via ? `via ${d.via}` : '', d.httpStatus ? `HTTP ${d.httpStatus}` : ''].filter(Boolean).join(', ');
  if (event.changes?.length && event.type === 'config.updated') return `changed ${event.changes.join(', ')}`;
  return '';
}

function renderAudit() {
  const rows = state.audit.items.map((event) =>
    h(
      'tr',
      {},
      h('td', {}, time(event.at)),
      h('td', {}, event.actor ? event.actor.id : h('span', { class: 'muted' }, 'system')),
      h('td', {}, h('span', { class: 'event' }, EVENT_WORDS[event.type] ?? event.type), h('span', { class: 'event-type' }, event.type)),
      h('td', {}, event.configId ? configName(event.configId) ?? (event.detail?.name ? String(event.detail.name) : h('span', { class: 'muted' }, 'deleted')) : '—'),
      h('td', {}, event.keyHint ? h('code', {}, event.keyHint) : '—'),
      h('td', {}, auditDetail(event)),
    ),
  );
  const body = document.getElementById('audit-rows');
  body.replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No events yet. Connect a provider to get started.'))]));
  document.getElementById('audit-more').hidden = !state.audit.nextCursor;
}

function renderAccessKeys(page) {
  const list = document.getElementById('access-keys');
  if (page === null) {
    list.replaceChildren(h('li', { class: 'muted' }, 'Your role can’t see access keys.'));
    return;
  }
  const items = page.items;
  if (items.length === 0) {
    list.replaceChildren(h('li', { class: 'muted' }, 'No access keys yet.'));
    return;
  }
  list.replaceChildren(
    ...items.map((key) => {
      const tone = key.state === 'active' ? 'badge-active' : key.state === 'revoked' ? 'badge-bad' : 'badge-warn';
      return h(
        'li',
        {},
        h('span', {}, h('strong', {}, key.name), h('span', { class: 'meta' }, h('code', {}, key.hint), key.providers ? ` · ${key.providers.join(', ')}` : ' · any provider')),
        h('span', { class: `badge ${tone}` }, key.state[0].toUpperCase() + key.state.slice(1)),
      );
    }),
  );
}

// ---------------------------------------------------------------- wiring

function wire() {
  const saved = JSON.parse(localStorage.getItem('hub-session') ?? 'null');
  if (saved && TENANTS[saved.tenant] && USERS[saved.role]) state.session = saved;
  const tenant = document.getElementById('session-tenant');
  const role = document.getElementById('session-role');
  tenant.value = state.session.tenant;
  role.value = state.session.role;
  const switchSession = () => {
    state.session = { tenant: tenant.value, role: role.value };
    localStorage.setItem('hub-session', JSON.stringify(state.session));
    state.results.clear();
    loadAll().then(() => announce(`Now viewing ${TENANTS[tenant.value]} as ${role.value}`));
  };
  tenant.addEventListener('change', switchSession);
  role.addEventListener('change', switchSession);

  document.getElementById('resolve-form').addEventListener('submit', (event) => {
    event.preventDefault();
    state.resolveProvider = document.getElementById('resolve-provider').value;
    loadResolution();
  });
  document.getElementById('resolve-provider').addEventListener('change', (event) => {
    state.resolveProvider = event.target.value;
    loadResolution();
  });

  document.getElementById('test-request').addEventListener('click', async () => {
    const out = document.getElementById('test-result');
    out.className = 'small result';
    out.textContent = 'Sending…';
    try {
      const answer = await api('POST', '/test-request', state.resolveProvider ? { provider: state.resolveProvider } : {});
      const via = `${answer.resolution.source === 'platform' ? 'the platform key' : 'your key'} ${answer.resolution.keyHint}`;
      out.textContent = answer.ok ? `Answered with ${via}: “${answer.reply}”` : `The provider refused ${via} (HTTP ${answer.httpStatus ?? '?'})`;
      out.classList.add(answer.ok ? 'result-ok' : 'result-bad');
    } catch (error) {
      out.textContent = error.message;
      out.classList.add('result-bad');
    }
    // Key health is written behind; give it a moment before showing it.
    setTimeout(loadAll, 1200);
  });

  document.getElementById('audit-more').addEventListener('click', async () => {
    const page = await api('GET', `/audit?limit=6&cursor=${encodeURIComponent(state.audit.nextCursor)}`);
    state.audit = { items: [...state.audit.items, ...page.items], nextCursor: page.nextCursor };
    renderAudit();
    announce(`${page.items.length} older events loaded`);
  });

  loadAll();
}

wire();
