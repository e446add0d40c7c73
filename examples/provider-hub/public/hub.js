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
  pools: [],
  routes: [],
  results: new Map(), // card or config id -> { text, ok }: the last action's outcome, shown under it
  audit: { items: [], nextCursor: null },
  resolveProvider: 'openai',
  resolveRoute: '',
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
  const response = await fetch(`/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(readable(data.error?.message ?? `HTTP ${response.status}`));
    error.code = data.error?.code ?? `HTTP_${response.status}`;
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
    if (Math.abs(value) < size)
      return unit === 'second' && Math.abs(value) < 10 ? 'just now' : relative.format(value, unit);
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
  'pool.changed': 'Pool policy changed',
  'route.changed': 'Route changed',
  'key.staged': 'Key staged',
  'key.promoted': 'Key promoted',
  'key.rolled_back': 'Key rolled back',
  'key.previous_expired': 'Previous key expired',
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
  route_dangling: 'the route’s config is gone',
  cooling_down: 'cooling down after a rate limit',
  failing: 'failing',
  rate_limited: 'rate limited, moved on',
  auth_failed: 'key refused, moved on',
  server_error: 'provider error, moved on',
};

const STEP_WORDS = {
  explicit: 'Named config',
  custom: 'Custom endpoint',
  byok: 'Your key',
  default: 'Default config',
  recent: 'Newest config',
  platform: 'Platform key',
  route: 'Route',
  pool: 'Pool key',
  retry: 'Tried',
};

const POLICY_WORDS = {
  default: 'Default config only',
  failover: 'Failover',
  'round-robin': 'Round-robin',
  weighted: 'Weighted',
};

const POLICY_HINTS = {
  default: 'Requests use the default config (else the newest); no other key takes over.',
  failover: 'The first available key in priority order; the next one while it is rate limited or failing.',
  'round-robin': 'Each available key in turn.',
  weighted: 'Each available key in turn, in proportion to its weight (0: only when the others are out).',
};

// ---------------------------------------------------------------- loading

async function loadSession() {
  const session = await api('GET', '/session');
  state.permissions = new Set(session.permissions);
  document.getElementById('whoami').textContent =
    `Signed in as ${session.actor.id} (${session.actor.role}) in ${TENANTS[session.tenantId] ?? session.tenantId}`;
  document.getElementById('readonly-note').hidden = can('key:manage');
  document.getElementById('test-request').disabled = !can('key:manage'); // a test request spends the key
}

async function loadAll() {
  const errorBanner = document.getElementById('load-error');
  try {
    await loadSession();
    const [{ providers }, { pools }, { routes }, audit, accessKeys] = await Promise.all([
      api('GET', '/providers'),
      api('GET', '/pools'),
      api('GET', '/routes'),
      api('GET', '/audit?limit=6'),
      can('access:manage') ? api('GET', '/access-keys?limit=20') : null,
    ]);
    state.providers = providers;
    state.pools = pools;
    state.routes = routes;
    state.audit = audit;
    errorBanner.hidden = true;
    render();
    renderRoutes();
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
  const params = new URLSearchParams();
  if (state.resolveProvider) params.set('provider', state.resolveProvider);
  if (state.resolveRoute) params.set('route', state.resolveRoute);
  const query = params.size ? `?${params}` : '';
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
  return {
    text: `Key saved for ${provider.label}: ${view.keyHint}`,
    resultId: config.id,
    focus: `validate-${config.id}`,
  };
}

async function addKey(provider, name, key) {
  const config = await api('POST', '/configs', { name, provider: provider.id });
  const view = await api('PUT', `/configs/${config.id}/key`, { key });
  return { text: `Key saved for ${name}: ${view.keyHint}`, resultId: config.id, focus: `validate-${config.id}` };
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
  const headBadge =
    configs.length === 0
      ? h('span', { class: 'badge' }, 'Not connected')
      : configs.length === 1
        ? badge(configs[0])
        : h('span', { class: 'badge' }, `${configs.length} configs`);
  return h(
    'article',
    { class: 'card', 'aria-labelledby': titleId, 'data-provider': provider.id },
    h(
      'div',
      { class: 'card-head' },
      h('span', { class: `monogram monogram-${provider.id}`, 'aria-hidden': 'true' }, provider.label.slice(0, 1)),
      h(
        'div',
        { class: 'card-title' },
        h('h3', { id: titleId }, provider.label),
        h('p', {}, prefix ? `Keys start with ${prefix}` : 'API key'),
      ),
      headBadge,
    ),
    configs.length === 0
      ? connectSection(provider)
      : configs.map((config) => configSection(provider, config, configs.length > 1 || config.name !== provider.label)),
    configs.length > 1
      ? state.pools
          .filter((pool) => pool.provider === provider.id && pool.members.length > 1)
          .map((pool) => poolSection(provider, pool))
      : null,
    configs.length > 0 ? addKeySection(provider) : null,
  );
}

function badge(config) {
  const [word, tone] = badgeOf(config);
  return h('span', { class: `badge ${tone}`, 'data-testid': 'status' }, word);
}

function resultLine(id, testId = 'result') {
  const result = state.results.get(id);
  return h(
    'p',
    {
      class: `result ${result ? (result.ok ? 'result-ok' : 'result-bad') : ''}`,
      id: `result-${id}`,
      'data-testid': testId,
    },
    result?.text ?? '',
  );
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
      h('input', {
        id: inputId,
        type: 'password',
        name: 'key',
        autocomplete: 'off',
        spellcheck: 'false',
        placeholder: 'Paste your key',
        disabled: !allowed,
        required: true,
      }),
      h(
        'button',
        { type: 'submit', class: 'btn btn-primary', id: `connect-${provider.id}`, disabled: !allowed },
        'Connect',
      ),
    ),
    h('p', { class: 'field-hint' }, 'Encrypted before it is stored. It will not be shown again.'),
  );
  return h('div', { class: 'config' }, form, resultLine(provider.id));
}

function configSection(provider, config, showName) {
  const id = config.id;
  const validation = config.lastValidationStatus
    ? (VALIDATION_WORDS[config.lastValidationStatus] ?? [config.lastValidationStatus, ''])
    : null;
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
    h(
      'div',
      { class: 'row' },
      keyInput,
      h(
        'button',
        { type: 'submit', class: 'btn btn-primary', id: `save-${id}`, disabled: !can('key:manage') },
        config.keyHint ? 'Replace' : 'Save key',
      ),
    ),
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
      h(
        'div',
        {},
        h('dt', {}, 'Key'),
        h(
          'dd',
          {},
          config.keyHint
            ? h('code', { 'data-testid': 'hint' }, config.keyHint)
            : h('span', { class: 'muted' }, 'None stored'),
        ),
      ),
      h(
        'div',
        {},
        h('dt', {}, 'Last validated'),
        h(
          'dd',
          { 'data-testid': 'validated' },
          config.lastValidatedAt
            ? [time(config.lastValidatedAt), ' · ', h('span', { class: validation[1] }, validation[0])]
            : h('span', { class: 'muted' }, 'Never'),
        ),
      ),
      h(
        'div',
        {},
        h('dt', {}, 'Health'),
        h('dd', {}, health, ' · last used ', config.lastUsedAt ? time(config.lastUsedAt) : 'never'),
      ),
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
              return {
                text: config.isDefault
                  ? `${config.name} is no longer the default`
                  : `${config.name} is now the default`,
              };
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
        {
          type: 'button',
          class: 'btn btn-secondary',
          id: `validate-${id}`,
          disabled: !can('key:manage') || !config.keyHint,
          onclick: () => act(id, () => validate(config)),
        },
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

/** A form control's id part for a pool: its provider, and its scope when it has one. */
function poolKey(pool) {
  return pool.scope ? `${pool.provider}--${pool.scope.replace(/[^A-Za-z0-9_-]/g, '_')}` : pool.provider;
}

/** A pool member's badge: why it can't be chosen, else whether it is cooling down, failing or available. */
function memberBadge(member) {
  if (!member.eligible) {
    const [word, tone] = badgeOf({ keyState: member.keyState, health: member.health });
    return h('span', { class: `badge ${tone}`, 'data-testid': 'member-status' }, word);
  }
  if (member.cooldown) {
    return h(
      'span',
      {
        class: 'badge badge-warn',
        'data-testid': 'member-status',
        title: `Until ${new Date(member.cooldown.until).toLocaleTimeString()}`,
      },
      'Cooling down',
    );
  }
  if (member.health.state === 'failing')
    return h('span', { class: 'badge badge-bad', 'data-testid': 'member-status' }, 'Failing');
  return h('span', { class: 'badge badge-active', 'data-testid': 'member-status' }, 'Available');
}

/** A provider's key pool: members in failover order with their state, and the selection policy. */
function poolSection(provider, pool) {
  const key = poolKey(pool);
  const titleId = `pool-${key}-title`;
  const selectId = `pool-policy-${key}`;
  const hintId = `pool-hint-${key}`;
  const allowed = can('key:manage');
  const available = pool.members.filter((m) => m.available).length;
  const hint = h('p', { class: 'field-hint', id: hintId }, POLICY_HINTS[pool.policy] ?? '');

  const members = pool.members.map((m) =>
    h(
      'li',
      { class: `member${m.available ? '' : ' member-out'}`, 'data-config': m.configId, 'data-testid': 'pool-member' },
      h(
        'span',
        { class: 'position' },
        h('span', { class: 'visually-hidden' }, 'Position '),
        m.position === null ? '–' : String(m.position + 1),
      ),
      h(
        'div',
        { class: 'member-main' },
        h(
          'div',
          { class: 'member-line' },
          h('span', { class: 'member-name', 'data-testid': 'member-name' }, m.name),
          m.keyHint ? h('code', {}, m.keyHint) : null,
        ),
        h(
          'div',
          { class: 'member-line' },
          memberBadge(m),
          m.cooldown
            ? h('span', { class: 'meta' }, 'ready ', time(m.cooldown.until))
            : h('span', { class: 'meta' }, 'used ', m.lastUsedAt ? time(m.lastUsedAt) : 'never'),
        ),
      ),
      h(
        'div',
        { class: 'member-fields' },
        h(
          'label',
          { class: 'mini-field priority-field' },
          h('span', { 'aria-hidden': 'true' }, 'Priority'),
          h('input', {
            type: 'number',
            name: 'priority',
            min: 0,
            max: 1000,
            step: 1,
            inputmode: 'numeric',
            value: m.priority ?? '',
            placeholder: '–',
            'aria-label': `Priority of ${m.name}`,
            disabled: !allowed,
          }),
        ),
        h(
          'label',
          { class: 'mini-field weight-field' },
          h('span', { 'aria-hidden': 'true' }, 'Weight'),
          h('input', {
            type: 'number',
            name: 'weight',
            min: 0,
            max: 1000,
            step: 1,
            inputmode: 'numeric',
            value: m.weight,
            'aria-label': `Weight of ${m.name}`,
            disabled: !allowed,
          }),
        ),
      ),
    ),
  );

  const select = h(
    'select',
    {
      id: selectId,
      name: 'policy',
      'aria-describedby': hintId,
      disabled: !allowed,
      onchange: (event) => {
        form.dataset.policy = event.target.value;
        hint.textContent = POLICY_HINTS[event.target.value] ?? '';
      },
    },
    Object.entries(POLICY_WORDS).map(([value, word]) => h('option', { value, selected: value === pool.policy }, word)),
  );

  const form = h(
    'form',
    {
      class: 'pool-form',
      'data-policy': pool.policy,
      onsubmit: (event) => {
        event.preventDefault();
        const policy = select.value;
        const settings = [];
        for (const li of form.querySelectorAll('li[data-config]')) {
          const member = { configId: li.dataset.config };
          const priority = li.querySelector('input[name="priority"]').value.trim();
          const weight = li.querySelector('input[name="weight"]').value.trim();
          if ((policy === 'failover' || policy === 'round-robin') && priority !== '')
            member.priority = Number(priority);
          if (policy === 'weighted' && weight !== '') member.weight = Number(weight);
          if (Object.keys(member).length > 1) settings.push(member);
        }
        act(`pool-${key}`, async () => {
          await api('PUT', '/pools/policy', { scope: pool.scope, provider: pool.provider, policy, members: settings });
          return { text: `${provider.label} pool: ${POLICY_WORDS[policy]}` };
        });
      },
    },
    h('label', { for: selectId }, 'Selection policy'),
    h(
      'div',
      { class: 'row' },
      select,
      h(
        'button',
        { type: 'submit', class: 'btn btn-secondary', id: `pool-save-${key}`, disabled: !allowed },
        'Save policy',
      ),
    ),
    hint,
    h('ol', { class: 'pool-members', 'aria-label': `${provider.label} keys in failover order` }, members),
    pool.policySet
      ? h(
          'div',
          { class: 'actions' },
          h(
            'button',
            {
              type: 'button',
              class: 'btn btn-ghost',
              id: `pool-reset-${key}`,
              disabled: !allowed,
              onclick: () =>
                act(`pool-${key}`, async () => {
                  await api(
                    'DELETE',
                    `/pools/policy?${new URLSearchParams({ provider: pool.provider, scope: pool.scope })}`,
                  );
                  return { text: `${provider.label} pool: back to failover in the default order`, focus: selectId };
                }),
            },
            'Reset to failover',
          ),
        )
      : null,
  );

  return h(
    'section',
    { class: 'pool', 'aria-labelledby': titleId, 'data-testid': 'pool' },
    h(
      'div',
      { class: 'pool-head' },
      h('h4', { id: titleId }, pool.scope ? `Key pool · ${pool.scope}` : 'Key pool'),
      h(
        'span',
        { class: 'muted small', 'data-testid': 'pool-summary' },
        `${POLICY_WORDS[pool.policy]} · ${available} of ${pool.members.length} available`,
      ),
    ),
    form,
    resultLine(`pool-${key}`, 'pool-result'),
  );
}

/** "Add another key": a second config of the same provider, which makes a pool. */
function addKeySection(provider) {
  const nameId = `add-name-${provider.id}`;
  const keyId = `add-key-${provider.id}`;
  const allowed = can('config:write') && can('key:manage');
  const form = h(
    'form',
    {
      class: 'key-form add-key-form',
      onsubmit: (event) => {
        event.preventDefault();
        const nameInput = form.querySelector(`#${nameId}`);
        const keyInput = form.querySelector(`#${keyId}`);
        const name = nameInput.value.trim();
        const key = keyInput.value.trim();
        keyInput.value = ''; // as in every key field: the key leaves the page once
        if (!name || !key) return;
        act(`add-${provider.id}`, () => addKey(provider, name, key));
      },
    },
    h('label', { for: nameId }, 'Name'),
    h('input', {
      id: nameId,
      type: 'text',
      name: 'name',
      autocomplete: 'off',
      placeholder: 'e.g. Backup',
      maxlength: 100,
      required: true,
      disabled: !allowed,
    }),
    h('label', { for: keyId }, `New ${provider.label} key`),
    h(
      'div',
      { class: 'row' },
      h('input', {
        id: keyId,
        type: 'password',
        name: 'key',
        autocomplete: 'off',
        spellcheck: 'false',
        placeholder: 'Paste the key',
        required: true,
        disabled: !allowed,
      }),
      h(
        'button',
        { type: 'submit', class: 'btn btn-primary', id: `add-submit-${provider.id}`, disabled: !allowed },
        'Add key',
      ),
    ),
    h('p', { class: 'field-hint' }, 'Two keys or more of one provider form a pool.'),
  );
  return h(
    'div',
    { class: 'config add-key' },
    h('details', {}, h('summary', { id: `add-toggle-${provider.id}` }, 'Add another key'), form),
    resultLine(`add-${provider.id}`, 'add-result'),
  );
}

const scopeWords = (scope) => (scope ? `scope ${scope}` : 'tenant-wide');

function renderRoutes() {
  const list = document.getElementById('route-list');
  const providerName = (id) => state.providers.find((p) => p.id === id)?.label ?? id;
  const allowed = can('config:write');
  list.replaceChildren(
    ...(state.routes.length === 0
      ? [h('li', { class: 'muted empty' }, 'No routes yet.')]
      : state.routes.map((r) => {
          const removeId = `route-remove-${r.scope}-${r.route}`;
          return h(
            'li',
            { 'data-testid': 'route-item', 'data-route': r.route },
            h(
              'span',
              { class: 'route-main' },
              h('code', {}, r.route),
              h('span', { class: 'arrow', 'aria-hidden': 'true' }, ' → '),
              h('span', { class: 'visually-hidden' }, ' uses '),
              r.state === 'ok'
                ? h('strong', { 'data-testid': 'route-config' }, r.configName)
                : h('span', { class: 'muted', 'data-testid': 'route-config' }, 'a deleted config'),
              h(
                'span',
                { class: 'meta' },
                h(
                  'span',
                  {},
                  [r.provider ? providerName(r.provider) : null, scopeWords(r.scope)].filter(Boolean).join(' · '),
                ),
                r.state === 'dangling'
                  ? h(
                      'span',
                      {
                        class: 'badge badge-bad',
                        'data-testid': 'dangling',
                        title: 'Requests on this route use the provider’s default',
                      },
                      'Dangling',
                    )
                  : null,
              ),
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'btn btn-ghost btn-danger',
                id: removeId,
                'aria-label': `Remove route ${r.route}`,
                disabled: !allowed,
                onclick: () =>
                  act('routes', async () => {
                    await api(
                      'DELETE',
                      `/routes/${encodeURIComponent(r.route)}${r.scope ? `?scope=${encodeURIComponent(r.scope)}` : ''}`,
                    );
                    return { text: `Route ${r.route} removed`, focus: 'route-name' };
                  }),
              },
              'Remove',
            ),
          );
        })),
  );

  const configSelect = document.getElementById('route-config');
  const chosen = configSelect.value;
  const configs = state.providers.flatMap((p) => p.configs.map((c) => ({ config: c, provider: p })));
  configSelect.replaceChildren(
    ...configs.map(({ config, provider }) => h('option', { value: config.id }, `${config.name} (${provider.label})`)),
  );
  if (configs.some(({ config }) => config.id === chosen)) configSelect.value = chosen;
  const usable = allowed && configs.length > 0;
  for (const id of ['route-name', 'route-config', 'route-add']) document.getElementById(id).disabled = !usable;

  const out = document.getElementById('route-result');
  const result = state.results.get('routes');
  out.className = `small result ${result ? (result.ok ? 'result-ok' : 'result-bad') : ''}`;
  out.textContent = result?.text ?? '';

  renderRouteOptions();
}

function renderRouteOptions() {
  const select = document.getElementById('resolve-route');
  const names = [...new Set(state.routes.map((r) => r.route))].sort();
  if (state.resolveRoute && !names.includes(state.resolveRoute)) state.resolveRoute = '';
  select.replaceChildren(
    h('option', { value: '' }, 'No route'),
    ...names.map((name) => h('option', { value: name }, name)),
  );
  select.value = state.resolveRoute;
}

function renderResolveOptions() {
  const select = document.getElementById('resolve-provider');
  const options = [
    h('option', { value: '' }, 'Any provider (the default)'),
    ...state.providers.map((p) => h('option', { value: p.id }, p.label)),
  ];
  select.replaceChildren(...options);
  select.value = state.resolveProvider;
}

function routeView(answer) {
  const r = answer.resolution;
  const trace = answer.resolution?.trace ?? answer.trace ?? [];
  const providerName = (id) => state.providers.find((p) => p.id === id)?.label ?? id;
  const asked =
    (state.resolveProvider ? `${providerName(state.resolveProvider)} requests` : 'Requests that name no provider') +
    (state.resolveRoute ? ` on route ${state.resolveRoute}` : '');
  let headline;
  if (!r) {
    headline = [
      h('span', { class: 'source source-none' }, 'No key'),
      h('p', { class: 'route-line' }, `${asked} would be refused: no key applies.`),
    ];
  } else {
    const word = { byok: 'Your key', custom: 'Custom endpoint', platform: 'Platform key' }[r.source] ?? r.source;
    const from =
      r.source === 'platform'
        ? ', the platform’s own key'
        : [
            ', from the ',
            h('strong', {}, r.configName),
            r.provider === state.resolveProvider ? ' config' : ` config (${providerName(r.provider)})`,
          ];
    headline = [
      h('span', { class: `source source-${r.source}`, 'data-testid': 'source' }, word),
      h(
        'p',
        { class: 'route-line' },
        `${asked} use `,
        h('code', { 'data-testid': 'route-hint' }, r.keyHint),
        from,
        '.',
      ),
    ];
  }
  const steps = trace.map((entry) => {
    const what = [
      STEP_WORDS[entry.step] ?? entry.step,
      entry.route ? ` ${entry.route}` : '',
      entry.configName ? ` “${entry.configName}”` : '',
    ];
    const mark = entry.outcome === 'selected' ? '✓' : '–';
    const why = entryWhy(entry);
    return h(
      'li',
      { class: entry.outcome },
      h('span', { class: 'mark', 'aria-hidden': 'true' }, mark),
      h('span', {}, ...what, h('span', { class: 'why' }, ` — ${why}`)),
    );
  });
  return h(
    'div',
    { class: 'route', 'data-testid': 'route' },
    ...headline,
    steps.length ? h('ol', { class: 'trace', 'aria-label': 'Why' }, steps) : null,
  );
}

/** Why a trace entry came out as it did, in words. */
function entryWhy(entry) {
  if (entry.outcome === 'selected') {
    const chosen = entry.pool ? `chosen (${POLICY_WORDS[entry.pool]?.toLowerCase() ?? entry.pool} pool)` : 'chosen';
    // A pool whose every key was out still chooses one: the reason says which way it was out.
    return entry.reason ? `${chosen}, though ${SKIP_WORDS[entry.reason] ?? entry.reason}` : chosen;
  }
  if (entry.step === 'route' && entry.outcome === 'none') return 'not set: the provider’s default';
  if (entry.reason === 'cooling_down' && entry.until) return `cooling down, ready ${ago(entry.until)}`;
  return entry.reason ? (SKIP_WORDS[entry.reason] ?? entry.reason) : 'none set up';
}

function configName(id) {
  for (const provider of state.providers)
    for (const config of provider.configs) if (config.id === id) return config.name;
  return null;
}

function auditDetail(event) {
  const d = event.detail ?? {};
  if (event.type === 'key.validated')
    return (VALIDATION_WORDS[d.status]?.[0] ?? String(d.status)) + (d.httpStatus ? ` (HTTP ${d.httpStatus})` : '');
  if (event.type === 'config.default_changed') return d.isDefault ? 'made default' : 'no longer default';
  if (event.type === 'key.failing' || event.type === 'key.recovered')
    return [d.via ? `via ${d.via}` : '', d.httpStatus ? `HTTP ${d.httpStatus}` : ''].filter(Boolean).join(', ');
  if (event.changes?.length && event.type === 'config.updated') return `changed ${event.changes.join(', ')}`;
  if (event.type === 'pool.changed')
    return `${d.provider}${d.scope ? ` in ${d.scope}` : ''}: ${d.policy ? (POLICY_WORDS[d.policy] ?? d.policy) : 'reset to failover'}`;
  if (event.type === 'route.changed')
    return `${d.route} → ${d.configId ? (d.configName ?? d.configId) : 'removed'}${d.scope ? ` (${d.scope})` : ''}`;
  return '';
}

function renderAudit() {
  const rows = state.audit.items.map((event) =>
    h(
      'tr',
      {},
      h('td', {}, time(event.at)),
      h('td', {}, event.actor ? event.actor.id : h('span', { class: 'muted' }, 'system')),
      h(
        'td',
        {},
        h('span', { class: 'event' }, EVENT_WORDS[event.type] ?? event.type),
        h('span', { class: 'event-type' }, event.type),
      ),
      h(
        'td',
        {},
        event.configId
          ? (configName(event.configId) ??
              ((event.detail?.name ?? event.detail?.configName)
                ? String(event.detail.name ?? event.detail.configName)
                : h('span', { class: 'muted' }, 'deleted')))
          : '—',
      ),
      h('td', {}, event.keyHint ? h('code', {}, event.keyHint) : '—'),
      h('td', {}, auditDetail(event)),
    ),
  );
  const body = document.getElementById('audit-rows');
  body.replaceChildren(
    ...(rows.length
      ? rows
      : [h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No events yet. Connect a provider to get started.'))]),
  );
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
        h(
          'span',
          {},
          h('strong', {}, key.name),
          h(
            'span',
            { class: 'meta' },
            h('code', {}, key.hint),
            key.providers ? ` · ${key.providers.join(', ')}` : ' · any provider',
          ),
        ),
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
    state.resolveRoute = document.getElementById('resolve-route').value;
    loadResolution();
  });
  document.getElementById('resolve-provider').addEventListener('change', (event) => {
    state.resolveProvider = event.target.value;
    loadResolution();
  });
  document.getElementById('resolve-route').addEventListener('change', (event) => {
    state.resolveRoute = event.target.value;
    loadResolution();
  });

  document.getElementById('route-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const name = document.getElementById('route-name');
    const route = name.value.trim();
    const configId = document.getElementById('route-config').value;
    if (!route || !configId) return;
    act('routes', async () => {
      const view = await api('PUT', `/routes/${encodeURIComponent(route)}`, { configId });
      name.value = '';
      return { text: `Route ${view.route} now uses ${view.configName}` };
    });
  });

  document.getElementById('test-request').addEventListener('click', async () => {
    const out = document.getElementById('test-result');
    out.className = 'small result';
    out.textContent = 'Sending…';
    try {
      const body = {};
      if (state.resolveProvider) body.provider = state.resolveProvider;
      if (state.resolveRoute) body.route = state.resolveRoute;
      const answer = await api('POST', '/test-request', body);
      const via = `${answer.resolution.source === 'platform' ? 'the platform key' : 'your key'} ${answer.resolution.keyHint}`;
      // withKey moved past these keys first (a 429, a refused key, a 5xx): the trace starts with them.
      const moves = answer.resolution.trace.filter((entry) => entry.step === 'retry');
      const after = moves.length
        ? `, after ${moves.map((m) => `“${m.configName}” (${SKIP_WORDS[m.reason] ?? m.reason})`).join(', ')}`
        : '';
      out.textContent = answer.ok
        ? `Answered with ${via}${after}: “${answer.reply}”`
        : `The provider refused ${via} (HTTP ${answer.httpStatus ?? '?'})${after}`;
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
