// Gatehouse console: small enhancements over server-rendered pages. Every change goes through
// the admin API with the session cookie and the antiforgery token.
"use strict";
(() => {
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";
  const status = (text, failed) => {
    const ok = document.getElementById("console-status"), err = document.getElementById("console-error");
    if (ok) ok.textContent = failed ? "" : text;
    if (err) err.textContent = failed ? text : "";
  };

  // A refusal in plain words: the API's message and its list of problems, never a raw exception text.
  class ApiError extends Error {
    constructor(message, errors) { super(message); this.errors = errors ?? []; }
  }
  async function api(method, url, body) {
    const init = { method, credentials: "same-origin", headers: { "Accept": "application/json", "X-CSRF-Token": csrf() } };
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    let response;
    try { response = await fetch(url, init); }
    catch { throw new ApiError("The server could not be reached. Check the connection and try again."); }
    const text = await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; }
    catch { if (response.ok) throw new ApiError("The server answered something that is not JSON. Reload the page and try again."); }
    if (!response.ok) {
      const errors = Array.isArray(json?.errors) ? json.errors.map(e => typeof e === "string" ? e : e?.message).filter(m => typeof m === "string") : [];
      throw new ApiError(json?.Error ?? json?.detail ?? `The server refused the request (${response.status} ${response.statusText}).`, errors);
    }
    return json;
  }
  // JSON typed by a person, read with an error in plain words (where it breaks) instead of the browser's own text.
  function typedJson(text, what) {
    try { return JSON.parse(text); }
    catch (err) {
      if (text.trim() === "") refuse(`${what} is empty: write a JSON value such as {}.`);
      const at = /position (\d+)/.exec(err.message);
      if ((!at && /end of JSON/i.test(err.message)) || (at && Number(at[1]) >= text.trimEnd().length)) refuse(`${what} is not complete JSON: it ends before a bracket, brace or quote is closed.`);
      if (!at) refuse(`${what} is not valid JSON: text must be in double quotes, and a value is an object, a list, a number, true, false or null.`);
      const before = text.slice(0, Number(at[1])), line = before.split("\n").length, column = before.length - before.lastIndexOf("\n");
      refuse(`${what} is not valid JSON: check line ${line}, column ${column} (a missing comma, quote or bracket, or a trailing comma).`);
    }
  }
  // Builds a JSON body from a form: checkboxes are booleans, multiple selects and data-type=list
  // fields are arrays, data-type int/json shape the value, data-type=lines is a list of its non-empty
  // lines; disabled and hidden fields, and empty data-omit-empty fields, are left out; a dotted name
  // (signature.prefix) is a member of an object member.
  function formBody(form) {
    const body = {};
    const set = (name, value) => {
      const path = name.split(".");
      let at = body;
      for (const part of path.slice(0, -1)) at = (at[part] ??= {});
      at[path.at(-1)] = value;
    };
    for (const el of form.elements) {
      if (!el.name || el.disabled || el.closest(".hidden") || el.dataset.urlOnly !== undefined) continue;
      const type = el.dataset.type;
      let value;
      if (el.type === "checkbox") value = el.checked;
      else if (el.multiple) value = [...el.selectedOptions].map(o => o.value);
      else if (type === "list") { (body[el.name] ??= []); if (el.value.trim()) body[el.name].push(el.value.trim()); continue; }
      else if (el.value.trim() === "" && el.dataset.omitEmpty !== undefined) continue;
      else if (type === "lines") value = el.value.split(/[\r\n,]+/).map(l => l.trim()).filter(l => l);
      else if (type === "int") value = el.value.trim() === "" ? null : parseInt(el.value, 10);
      else if (type === "json") value = el.value.trim() === "" ? null : typedJson(el.value, labelOf(form, el.name) ?? el.name);
      else value = el.value;
      set(el.name, value);
    }
    for (const el of form.querySelectorAll("[data-type=list][data-omit-empty]")) if (body[el.name]?.length === 0) delete body[el.name];
    return body;
  }

  // After a change the page reloads to show the new state; the user's place (scroll position, and the
  // control named by data-focus) is kept across the reload.
  async function then(form, result) {
    const next = form.dataset.then ?? "reload";
    if (next === "reload") {
      sessionStorage.setItem("gatehouse.status", form.dataset.done ?? "Saved.");
      sessionStorage.setItem("gatehouse.place", JSON.stringify({ path: location.pathname + location.search, y: window.scrollY, focus: form.dataset.focus ?? null }));
      location.reload();
    }
    else if (next.startsWith("goto:")) { sessionStorage.setItem("gatehouse.status", form.dataset.done ?? "Saved."); location.href = next.slice(5).replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(result?.[name] ?? "")); }
  }

  // A form's refusal is shown next to it (its data-errors region, and under each field the message names);
  // API names in the messages ('dueDate') read as the form's labels (Due Date).
  function labelOf(form, name) {
    const el = form.elements[name];
    const label = el?.id ? form.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null;
    return label ? label.textContent.trim() : null;
  }
  function plainWords(form, message) {
    return message.replace(/'([A-Za-z]+(?:\/[A-Za-z]+)*)((?:\.[^'.]+)*)'/g, (quoted, names, path) => {
      if (names === "dynamicFields" && path) return `Dynamic field ${path.slice(1).split(".").join(" › ")}`;
      if (path) return quoted;
      const labels = names.split("/").map(n => labelOf(form, n));
      return labels.every(Boolean) ? labels.join(" or ") : quoted;
    });
  }
  function clearErrors(form) {
    const region = form.querySelector("[data-errors]");
    if (region) region.textContent = "";
    for (const p of form.querySelectorAll(".field-error")) p.textContent = "";
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  }
  // The region lists every message (or, with data-errors="unmatched", those that name no field of the
  // form); each field a message names is marked and shows it; the first such field takes the focus.
  function showErrors(form, err) {
    clearErrors(form);
    status("");
    const region = form.querySelector("[data-errors]");
    const raw = err.errors?.length ? err.errors : [err.message];
    const shown = [];
    let first = null;
    for (const message of raw) {
      const plain = plainWords(form, message);
      const fields = (/^'([A-Za-z]+(?:\/[A-Za-z]+)*)'/.exec(message)?.[1].split("/") ?? []).map(n => form.elements[n]).filter(el => el?.id);
      for (const el of fields) {
        el.setAttribute("aria-invalid", "true");
        const slot = document.getElementById(`${el.id}-error`);
        if (slot) slot.textContent = (slot.textContent ? slot.textContent + " " : "") + plain;
        first ??= el;
      }
      if (fields.length === 0 || region.dataset.errors !== "unmatched") shown.push(plain);
    }
    if (shown.length === 1) region.textContent = shown[0];
    else if (shown.length > 1) {
      region.append(Object.assign(document.createElement("p"), { textContent: `${shown.length} problems, nothing was saved:` }));
      const list = region.appendChild(document.createElement("ul"));
      for (const m of shown) list.append(Object.assign(document.createElement("li"), { textContent: m }));
    }
    first?.focus();
  }
  // A problem found before anything is sent, shown as the API's would be.
  const refuse = (...messages) => { throw new ApiError(messages[0], messages); };

  // data-confirm asks before sending; with data-confirm-if="field:value" only when that field was changed to
  // that value (a checkbox's values are on and off), e.g. a change that cuts senders off.
  function needsConfirmation(form) {
    if (!form.dataset.confirm) return false;
    if (!form.dataset.confirmIf) return true;
    const [name, wanted] = form.dataset.confirmIf.split(":");
    const el = form.elements[name];
    if (!el) return false;
    const value = el.type === "checkbox" ? (el.checked ? "on" : "off") : el.value;
    const before = el.type === "checkbox" ? (el.defaultChecked ? "on" : "off") : original(el);
    return value === wanted && value !== before;
  }
  document.addEventListener("submit", async e => {
    const form = e.target;
    if (!form.dataset.apiUrl) return;
    e.preventDefault();
    status(""); // the last action's message no longer applies
    if (needsConfirmation(form) && !confirm(form.dataset.confirm)) { status("Nothing was saved."); return; }
    try {
      for (const el of form.querySelectorAll("[data-must-match]")) {
        if (el.value !== form.elements[el.dataset.mustMatch]?.value) refuse(`'${el.dataset.mustMatch}' and its confirmation differ: type the same value twice.`);
      }
      const body = form.dataset.shape === "rule" ? ruleBody(form)
        : form.dataset.shape === "integration" ? integrationBody(form)
        : form.dataset.shape === "incident-edit" ? incidentEditBody(form)
        : form.dataset.shape === "links" ? linksBody(form)
        : form.dataset.shape === "command" ? commandBody(form)
        : form.dataset.bodyFrom ? typedJson(document.getElementById(form.dataset.bodyFrom).value, labelOf(form, form.dataset.bodyFrom) ?? "The definition") : formBody(form);
      if (body === null) { clearErrors(form); status(form.dataset.unchanged ?? "Nothing to save: no field was changed."); return; }
      // A {field} in the URL is that field's value (data-url-only fields go only there, not into the body).
      const url = form.dataset.apiUrl.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(form.elements[name]?.value ?? ""));
      const result = await api(form.dataset.apiMethod ?? "POST", url, body);
      await then(form, result);
    } catch (err) {
      if (form.querySelector("[data-errors]")) showErrors(form, err); else status(err.message, true);
    }
  });

  // Buttons that call the API: data-api-url, data-api-method, data-confirm, data-body (JSON) or data-body-from (a form or a JSON field).
  document.addEventListener("click", async e => {
    const button = e.target.closest("button[data-api-url]");
    if (!button) return;
    status("");
    if (button.dataset.confirm && !confirm(button.dataset.confirm)) return;
    try {
      const bodySource = button.dataset.bodyFrom ? document.getElementById(button.dataset.bodyFrom) : null;
      const body = button.dataset.body ? JSON.parse(button.dataset.body)
        : bodySource ? (bodySource.tagName === "FORM" ? formBody(bodySource) : typedJson(bodySource.value, "The definition")) : undefined;
      const result = await api(button.dataset.apiMethod ?? "POST", button.dataset.apiUrl, body);
      await then(button, result);
    } catch (err) { status(err.message, true); }
  });

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) { await navigator.clipboard.writeText(text); return; }
    const area = Object.assign(document.createElement("textarea"), { value: text });
    document.body.append(area); area.select(); document.execCommand("copy"); area.remove();
  }

  // Copy buttons: data-copy-from names an element whose value or text is copied; data-copy-secret
  // fetches the key's value first (only its creator or assigned user may, and each fetch is audited).
  document.addEventListener("click", async e => {
    const button = e.target.closest("button[data-copy-from], button[data-copy-secret]");
    if (!button) return;
    try {
      let text;
      if (button.dataset.copySecret) {
        const secret = await api("GET", button.dataset.copySecret);
        text = secret.headerValue ?? secret.secretKey ?? secret.signingSecret;
      } else {
        const source = document.getElementById(button.dataset.copyFrom);
        text = source.value ?? source.textContent;
      }
      await copyText(text.trim());
      status(`${button.dataset.label ?? "Value"} copied to the clipboard.`);
    } catch (err) { status(err.message, true); }
  });

  // Select Site: each option carries its request URL.
  document.addEventListener("change", e => {
    const select = e.target.closest("select[data-url-target]");
    if (select) document.getElementById(select.dataset.urlTarget).textContent = select.selectedOptions[0]?.dataset.url ?? "";
  });

  // Click and hold to reveal a secret: shown only while the button is held down.
  for (const button of document.querySelectorAll("button[data-reveal]")) {
    const target = document.getElementById(button.dataset.revealTarget);
    const masked = target.textContent;
    let holding = false;
    const start = async e => {
      if (button.disabled || holding || (e.type === "keydown" && e.key !== " " && e.key !== "Enter")) return;
      e.preventDefault();
      holding = true;
      try {
        const secret = await api("GET", button.dataset.reveal);
        if (holding) { target.textContent = secret.secretKey ?? secret.headerValue ?? secret.signingSecret; target.dataset.revealed = "true"; }
      } catch (err) { holding = false; status(err.message, true); }
    };
    const stop = () => { holding = false; target.textContent = masked; delete target.dataset.revealed; };
    button.addEventListener("pointerdown", start);
    button.addEventListener("keydown", start);
    for (const name of ["pointerup", "pointerleave", "pointercancel", "keyup", "blur"]) button.addEventListener(name, stop);
  }

  // Row editors (payload fields, field mappings): data-add-row names the container whose
  // <template> is a new row; data-remove-row removes the row it is in.
  document.addEventListener("click", e => {
    const add = e.target.closest("button[data-add-row]");
    if (add) {
      const rows = document.getElementById(add.dataset.addRow);
      const row = rows.querySelector("template").content.firstElementChild.cloneNode(true);
      rows.append(row); row.querySelector("input").focus();
    }
    e.target.closest("button[data-remove-row]")?.closest("[data-row]").remove();
  });

  // Fields that steer others: data-shows="id:value1,value2" shows, data-enables="id:value" enables,
  // data-filters="id" leaves only the options whose data-kind is this field's value.
  function applyToggles() {
    for (const el of document.querySelectorAll("[data-shows]")) {
      for (const rule of el.dataset.shows.split(";")) {
        const [id, values] = rule.split(":");
        const target = document.getElementById(id);
        if (target) target.classList.toggle("hidden", !values.split(",").includes(el.value));
      }
    }
    for (const el of document.querySelectorAll("[data-enables]")) {
      for (const rule of el.dataset.enables.split(";")) {
        const [id, values] = rule.split(":");
        const target = document.getElementById(id);
        if (target) target.disabled = !values.split(",").includes(el.value);
      }
    }
    for (const el of document.querySelectorAll("select[data-filters]")) {
      const target = document.getElementById(el.dataset.filters);
      if (!target) continue;
      let cleared = false;
      for (const option of target.options) {
        const hide = option.dataset.kind && option.dataset.kind !== el.value;
        option.hidden = hide; option.disabled = hide;
        if (hide && option.selected) { target.value = ""; cleared = true; }
      }
      if (cleared && target.value === "") target.value = [...target.options].find(o => !o.disabled)?.value ?? "";
      document.querySelector(`[data-empty-hint-of="${CSS.escape(target.id)}"]`)?.classList.toggle("hidden", [...target.options].some(o => !o.disabled));
    }
  }
  document.addEventListener("change", e => { if (e.target.closest("[data-shows],[data-enables],[data-filters]")) applyToggles(); });
  applyToggles();

  // Intake mapping editor: one fieldset per intake command, rows of field and source.
  function intakeBody(fieldset) {
    const value = role => fieldset.querySelector(`[data-role=${role}]`)?.value.trim();
    const intake = { mainJsonPath: value("mainJsonPath") || "$", fieldMappings: [] };
    if (value("eventsJsonPath")) intake.eventsJsonPath = value("eventsJsonPath");
    const logSource = { product: value("logSourceProduct") || null, service: value("logSourceService") || null, category: value("logSourceCategory") || null };
    if (logSource.product || logSource.service || logSource.category) intake.logSource = logSource;
    if (value("sigmaFields")) {
      intake.sigmaFields = typedJson(value("sigmaFields"), "Sigma field names (a JSON object such as {\"proc_cmd\": \"CommandLine\"})");
    }
    for (const row of fieldset.querySelectorAll("tbody .mapping-row")) {
      const field = row.querySelector("[data-role=field]").value.trim(), source = row.querySelector("[data-role=source]").value.trim();
      if (field || source) intake.fieldMappings.push({ field, source });
    }
    return intake;
  }
  function integrationBody(form) {
    // The mapping and the commands are saved together, whichever of their two forms was sent; analysts see no commands field.
    const commands = document.getElementById("integration-commands");
    const body = commands ? { commands: typedJson(commands.value || "[]", "Commands") } : {};
    for (const fieldset of document.querySelectorAll("#integration-form fieldset[data-intake]")) {
      const enabled = fieldset.querySelector("[data-role=enabled]");
      if (!enabled || enabled.checked) body[fieldset.dataset.intake] = intakeBody(fieldset);
    }
    return body;
  }
  document.getElementById("preview-mapping")?.addEventListener("click", async () => {
    const output = document.getElementById("mapping-preview");
    try {
      const body = integrationBody(document.getElementById("integration-form"));
      delete body.commands; // the preview maps intake only
      body.intake = document.getElementById("preview-intake").value;
      body.sample = typedJson(document.getElementById("sample-json").value, "The sample");
      output.textContent = JSON.stringify(await api("POST", "/api/integrations/mapping-preview", body), null, 2);
      status("Preview updated.");
    } catch (err) { output.textContent = ""; status(err.message, true); }
  });

  // The event workbench: rows are selected with their boxes (data-select-row, in the bulk form), the header box selects
  // the page; "Dismiss selected" is one all-or-none call, "Link selected" links each event to the incident.
  const selectedRows = form => [...document.querySelectorAll(`input[data-select-row][form="${CSS.escape(form.id)}"]`)].filter(c => c.checked);
  function countSelected(form) {
    clearErrors(form); // a refusal about the last selection no longer applies
    const count = selectedRows(form).length, output = form.querySelector("output");
    if (output) output.textContent = count === 0 ? "None selected" : `${count} selected`;
    const all = document.querySelector(`[data-select-all="${CSS.escape(form.id)}"]`);
    const rows = document.querySelectorAll(`input[data-select-row][form="${CSS.escape(form.id)}"]`);
    if (all) { all.checked = rows.length > 0 && count === rows.length; all.indeterminate = count > 0 && count < rows.length; }
  }
  document.addEventListener("change", e => {
    const all = e.target.closest("[data-select-all]");
    const form = all ? document.getElementById(all.dataset.selectAll) : e.target.closest("[data-select-row]")?.form;
    if (!form) return;
    if (all) for (const row of document.querySelectorAll(`input[data-select-row][form="${CSS.escape(form.id)}"]`)) row.checked = all.checked;
    countSelected(form);
  });
  document.addEventListener("submit", e => { if (e.target.matches("form[data-no-submit]")) e.preventDefault(); });
  document.addEventListener("click", async e => {
    const button = e.target.closest("button[data-bulk]");
    if (!button) return;
    const form = button.form;
    clearErrors(form); status("");
    try {
      const ids = selectedRows(form).map(c => Number(c.value));
      if (ids.length === 0) refuse("Select one or more events first: tick the box at the start of each row.");
      const what = ids.length === 1 ? "1 event" : `${ids.length} events`;
      if (button.dataset.bulk === "dismiss") {
        const reason = form.elements.reason.value.trim();
        await api("POST", "/api/events/dismiss", reason ? { ids, reason } : { ids });
        button.dataset.done = `${what} dismissed.`;
      } else {
        const text = form.elements.incident.value.trim();
        if (!text) refuse("'incident' is required: the IR Number (20261203-42) or the id of the incident to link the events to.");
        const incident = /^[1-9]\d{0,15}$/.test(text) ? Number(text) : text;
        // One call per event: each is linked or refused on its own, and the answer says which.
        const refused = [];
        for (const id of ids) {
          try { await api("POST", `/api/events/${id}/link`, { incident }); }
          catch (err) { refused.push(`event ${id}: ${err.message}`); }
        }
        if (refused.length === ids.length) refuse(...refused);
        const linked = ids.length - refused.length;
        button.dataset.done = `${linked === 1 ? "1 event" : `${linked} events`} linked to ${text}.` + (refused.length ? ` Not linked: ${refused.join(" ")}` : "");
      }
      await then(button, null);
    } catch (err) { showErrors(form, err); }
  });

  // Live views: with the box ticked (remembered per page), the region is fetched again every few seconds with the
  // page's own address, so filters, paging and the rows ticked stay as they were.
  for (const toggle of document.querySelectorAll("input[data-live]")) {
    const memory = `gatehouse.live:${location.pathname}`;
    toggle.checked = (sessionStorage.getItem(memory) ?? toggle.dataset.liveDefault) === "on";
    let timer = null;
    const refresh = async () => {
      const region = document.getElementById(toggle.dataset.live);
      try {
        const response = await fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } });
        if (!response.ok) throw new Error();
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById(toggle.dataset.live);
        if (!fresh) throw new Error();
        const ticked = new Set([...region.querySelectorAll("input[data-select-row]:checked")].map(c => c.value));
        region.replaceChildren(...fresh.childNodes);
        for (const box of region.querySelectorAll("input[data-select-row]")) box.checked = ticked.has(box.value);
        const form = region.querySelector("input[data-select-row]")?.form;
        if (form) countSelected(form);
        toggle.dataset.refreshedAt = new Date().toISOString();
      } catch { status("The live view could not be refreshed; it tries again shortly.", true); }
    };
    const apply = () => {
      clearInterval(timer);
      sessionStorage.setItem(memory, toggle.checked ? "on" : "off");
      if (toggle.checked) timer = setInterval(refresh, Number(toggle.dataset.liveSeconds || 10) * 1000);
    };
    toggle.addEventListener("change", apply);
    apply();
  }

  // The rule editor: the condition from its rows of tests (or its JSON), the action from the fields of its type.
  function conditionOf(form) {
    const builder = form.querySelector("#condition-builder");
    if (builder.dataset.conditionMode === "json") return typedJson(form.querySelector("#rule-condition-json").value, "The condition");
    const tests = [...builder.querySelectorAll("#condition-rows [data-row]")].map(row => {
      const field = row.querySelector("[data-role=field]").value.trim(), operator = row.querySelector("[data-role=operator]").value;
      const text = row.querySelector("[data-role=value]").value.trim();
      if (!field && !text) return null;
      if (/^(exists|notExists)$/.test(operator)) return { field, operator };
      if (/^(in|notIn)$/.test(operator)) return { field, operator, value: text.split(",").map(v => v.trim()).filter(Boolean) };
      return { field, operator, value: text };
    }).filter(Boolean);
    if (tests.length === 0) refuse("The condition needs at least one test: a field, an operator and a value.");
    return tests.length === 1 ? tests[0] : { [builder.querySelector("[data-role=match]").value]: tests };
  }
  function ruleBody(form) {
    const body = formBody(form);
    const where = form.querySelector("[data-role=where]").value;
    if (where) body.site = where; else body.scope = "AllInternalSites";
    body.condition = conditionOf(form);
    const action = body.type === "Dismissal" ? "dismissal" : "escalation", member = {};
    for (const el of form.querySelectorAll(`[data-role=${action}]`)) if (el.value.trim()) member[el.dataset.member] = el.value.trim();
    body[action] = member;
    return body;
  }
  document.addEventListener("click", e => {
    const toggle = e.target.closest("[data-toggle-condition-mode]");
    if (!toggle) return;
    const form = toggle.form, builder = form.querySelector("#condition-builder");
    try {
      if (builder.dataset.conditionMode === "rows") {
        form.querySelector("#rule-condition-json").value = JSON.stringify(conditionOf(form), null, 2);
        builder.dataset.conditionMode = "json"; toggle.textContent = "Edit as tests";
      } else {
        const condition = typedJson(form.querySelector("#rule-condition-json").value, "The condition");
        const tests = condition.field ? [condition] : condition.all ?? condition.any;
        if (!Array.isArray(tests) || tests.some(t => !t || typeof t.field !== "string" || Object.keys(t).some(k => !["field", "operator", "value"].includes(k))))
          refuse("This condition nests all / any / not: it can only be edited as JSON.");
        const rows = form.querySelector("#condition-rows");
        rows.querySelectorAll("[data-row]").forEach(r => r.remove());
        for (const test of tests) {
          const row = rows.querySelector("template").content.firstElementChild.cloneNode(true);
          row.querySelector("[data-role=field]").value = test.field;
          row.querySelector("[data-role=operator]").value = test.operator ?? "equals";
          row.querySelector("[data-role=value]").value = Array.isArray(test.value) ? test.value.join(", ") : test.value ?? "";
          rows.append(row);
        }
        form.querySelector("[data-role=match]").value = condition.any ? "any" : "all";
        builder.dataset.conditionMode = "rows"; toggle.textContent = "Edit as JSON";
      }
      builder.querySelector("[data-condition-rows]").classList.toggle("hidden", builder.dataset.conditionMode === "json");
      builder.querySelector("[data-condition-json]").classList.toggle("hidden", builder.dataset.conditionMode !== "json");
      clearErrors(form);
    } catch (err) { showErrors(form, err); }
  });
  document.getElementById("test-rule")?.addEventListener("click", async () => {
    const form = document.getElementById("rule-form"), output = document.getElementById("rule-test-result");
    output.textContent = "";
    try {
      const text = document.getElementById("test-event").value.trim();
      if (!/^[1-9]\d{0,15}$/.test(text)) refuse("Enter the id of an event to test against, a whole number such as 42 (it is on the Events page).");
      const result = await api("POST", "/api/automation-rules/test", { rule: ruleBody(form), eventId: Number(text) });
      clearErrors(form);
      const incident = result.decision?.incident;
      output.textContent = result.notApplied ? result.notApplied
        : !result.matches ? `Event ${text} does not match: the rule would do nothing.`
        : incident ? `Event ${text} matches: it would be escalated to a ${incident.severity} ${incident.incidentType} incident “${incident.title}”.`
        : `Event ${text} matches: it would be dismissed${result.decision?.dismissal?.reason ? ` (${result.decision.dismissal.reason})` : ""}.`;
    } catch (err) { showErrors(form, err); }
  });

  // The command editor: a form for the command's members, a code editor (editor.js) over its script.
  function commandBody(form) {
    const body = { script: form.elements.script.value, features: form.elements.formatter.checked ? ["DataFormatter"] : [] };
    if (form.elements.name) body.name = form.elements.name.value.trim();
    const description = form.elements.description.value.trim();
    if (description) body.description = description;
    const timeout = form.elements.timeoutSeconds.value.trim();
    if (timeout) body.timeoutSeconds = /^\d{1,6}$/.test(timeout) ? Number(timeout) : refuse("'timeoutSeconds' must be a whole number of seconds.");
    body.parameters = form.elements.parameters.value.trim() === "" ? [] : typedJson(form.elements.parameters.value, "Parameters");
    return body;
  }
  function setCode(textarea, text) { textarea.value = text; textarea.dispatchEvent(new Event("code:set")); }
  document.addEventListener("change", e => {
    if (!e.target.matches("[data-formatter-toggle]")) return;
    const form = e.target.form, formatter = e.target.checked, script = form.elements.script, input = form.elements.input;
    script.dataset.codeFunction = formatter ? "format" : "main";
    // An untouched template follows the kind; a script someone wrote is theirs to change.
    const templates = [script.dataset.templateCommand, script.dataset.templateFormatter];
    if (templates.includes(script.value)) setCode(script, formatter ? script.dataset.templateFormatter : script.dataset.templateCommand);
    else script.dispatchEvent(new Event("code:relint"));
    const label = form.querySelector('label[for="command-input"]');
    label.textContent = formatter ? label.dataset.labelFormatter : label.dataset.labelCommand;
    if (["{}", ""].includes(input.value.trim()) || !formatter) setCode(input, formatter ? '{\n  "host": "WS-01.EXAMPLE.COM"\n}' : "{}");
  });
  document.getElementById("run-command")?.addEventListener("click", async () => {
    const form = document.getElementById("command-form"), output = document.getElementById("command-run-result");
    output.replaceChildren();
    status("");
    try {
      const input = form.elements.input.value.trim() === "" ? {} : typedJson(form.elements.input.value, labelOf(form, "input") ?? "The input");
      const result = await api("POST", "/api/commands/try", { command: commandBody(form), input });
      clearErrors(form);
      const formatter = form.elements.formatter.checked, took = `${result.durationMs} ms`;
      const line = Object.assign(document.createElement("p"), {
        textContent: !result.succeeded ? `The script failed after ${took}: ${result.error}`
          : formatter && result.result === null ? `The formatter returned null in ${took}: this event would be dropped.`
          : `Returned in ${took}:`,
      });
      line.className = result.succeeded ? "run-ok" : "run-failed";
      output.append(line);
      if (result.succeeded && result.result !== null) output.append(Object.assign(document.createElement("pre"), { textContent: JSON.stringify(result.result, null, 2) }));
    } catch (err) { showErrors(form, err); }
  });

  // Escape closes a dialog page, as it would a modal.
  document.addEventListener("keydown", e => {
    if (e.key === "Escape" && !e.target.closest("select, textarea")) document.querySelector(".dialog .close")?.click();
  });

  // The incident workbench: the edit form sends only what changed; dynamic fields are edited per
  // section and field; links are IR Numbers or ids and event ids; Close asks in a dialog.
  const csv = text => text.split(",").map(t => t.trim()).filter(Boolean);
  const original = el => el.tagName === "SELECT" ? ([...el.options].find(o => o.defaultSelected) ?? el.options[0])?.value ?? "" : el.defaultValue;
  function incidentEditBody(form) {
    const body = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled) continue;
      const before = original(el);
      if (el.dataset.type === "csv") {
        if (csv(el.value).join("\n") !== csv(before).join("\n")) body[el.name] = csv(el.value);
      } else if (el.dataset.type === "utc-time") {
        if (el.value !== before) body[el.name] = el.value ? `${el.value.length === 16 ? el.value + ":00" : el.value}Z` : null;
      } else if (el.value !== before) body[el.name] = el.value;
    }
    const dynamic = form.querySelector("[data-dynamic]");
    if (dynamic) {
      const changes = dynamicChanges(dynamic);
      if (Object.keys(changes).length > 0) body.dynamicFields = changes;
    }
    return Object.keys(body).length > 0 ? body : null;
  }
  function dynamicChanges(container) {
    const before = JSON.parse(container.dataset.original || "{}");
    const find = (obj, key) => obj ? Object.keys(obj).find(k => k.toLowerCase() === key.toLowerCase()) : undefined;
    const now = {}, problems = [];
    for (const section of container.querySelectorAll("fieldset[data-section]")) {
      const name = (section.dataset.section || section.querySelector("[data-role=section]")?.value || "").trim();
      for (const row of section.querySelectorAll("[data-row]")) {
        const field = row.querySelector("[data-role=field]").value.trim(), input = row.querySelector("[data-role=value]");
        if (!field && !input.value.trim()) continue;
        if (!name) { problems.push("A new section of dynamic fields needs a name."); continue; }
        if (!field) { problems.push(`A dynamic field of ${name} has a value but no name.`); continue; }
        let value = input.value;
        if (input.dataset.json) { try { value = JSON.parse(value); } catch { /* kept as text */ } }
        (now[name] ??= {})[field] = value;
      }
    }
    if (problems.length > 0) refuse(...new Set(problems));
    const changes = {};
    for (const [section, fields] of Object.entries(before)) {
      for (const field of Object.keys(fields ?? {})) {
        const kept = find(now, section);
        if (!kept || find(now[kept], field) === undefined) (changes[section] ??= {})[field] = null;
      }
    }
    for (const [section, fields] of Object.entries(now)) {
      for (const [field, value] of Object.entries(fields)) {
        const s = find(before, section), f = s === undefined ? undefined : find(before[s], field);
        if (f !== undefined && JSON.stringify(before[s][f]) === JSON.stringify(value)) continue;
        (changes[s ?? section] ??= {})[f ?? field] = value;
      }
    }
    return changes;
  }
  function linksBody(form) {
    const split = text => text.split(/[\s,;]+/).filter(Boolean);
    const incidents = split(form.elements.incidents.value), events = [], wrong = [];
    for (const id of split(form.elements.events.value)) { if (/^[1-9]\d{0,15}$/.test(id)) events.push(Number(id)); else wrong.push(id); }
    if (wrong.length > 0) refuse(`Events are named by their id, a whole number such as 42: ${wrong.map(w => `“${w}”`).join(", ")} ${wrong.length === 1 ? "is" : "are"} not.`);
    if (incidents.length + events.length === 0) refuse("Enter an incident or an event to link.");
    return { incidents, events };
  }

  const editForm = document.getElementById("edit-form"), editToggle = document.getElementById("edit-toggle");
  const pristineDynamic = document.getElementById("dynamic-fields")?.cloneNode(true);
  function setEditing(on) {
    if (!editForm) return;
    editForm.hidden = !on;
    document.getElementById("incident-fields").hidden = on;
    editToggle.setAttribute("aria-expanded", String(on));
    if (on) { editForm.scrollIntoView({ block: "start" }); editForm.querySelector("input, select, textarea")?.focus({ preventScroll: true }); return; }
    editForm.reset(); clearErrors(editForm);
    document.getElementById("dynamic-fields").replaceWith(pristineDynamic.cloneNode(true));
    editToggle.focus();
  }
  document.addEventListener("click", e => {
    if (e.target.closest("#edit-toggle")) setEditing(editForm.hidden);
    else if (e.target.closest("[data-cancel-edit]")) setEditing(false);
    const opener = e.target.closest("button[data-opens-dialog]");
    if (opener) {
      const dialog = document.getElementById(opener.dataset.opensDialog);
      dialog.showModal();
      dialog.querySelector("textarea, input, select")?.focus();
    }
    // A dialog kept in a <template> (one per row) exists only while it is open, so a page of rows does not
    // hold a hundred hidden forms with the same labels.
    const fromTemplate = e.target.closest("button[data-opens-template]");
    if (fromTemplate) {
      const dialog = document.getElementById(fromTemplate.dataset.opensTemplate).content.firstElementChild.cloneNode(true);
      document.body.append(dialog);
      dialog.addEventListener("close", () => { dialog.remove(); fromTemplate.focus(); });
      dialog.showModal();
      applyToggles();
      dialog.querySelector("input, select, textarea")?.focus();
    }
    e.target.closest("[data-closes-dialog]")?.closest("dialog").close();
    const addField = e.target.closest("button[data-add-field]");
    if (addField) {
      const row = document.getElementById("dynamic-row-template").content.firstElementChild.cloneNode(true);
      addField.closest("fieldset").querySelector("[data-rows]").append(row);
      row.querySelector("input").focus();
    }
    const removeField = e.target.closest("button[data-remove-field]");
    if (removeField) {
      const row = removeField.closest("[data-row]"), section = row.closest("fieldset");
      const next = row.nextElementSibling ?? row.previousElementSibling;
      row.remove();
      (next?.querySelector("input") ?? section.querySelector("button[data-add-field]")).focus();
    }
    if (e.target.closest("button[data-add-section]")) {
      const section = document.getElementById("dynamic-section-template").content.firstElementChild.cloneNode(true);
      section.querySelector("[data-rows]").append(document.getElementById("dynamic-row-template").content.firstElementChild.cloneNode(true));
      document.getElementById("dynamic-fields").querySelector("template").before(section);
      section.querySelector("input").focus();
    }
  });
  document.addEventListener("input", e => {
    const name = e.target.closest("[data-role=section]");
    if (name) name.closest("fieldset").querySelector("legend").textContent = name.value.trim() || "New section";
  });
  for (const dialog of document.querySelectorAll("dialog")) {
    dialog.addEventListener("close", () => { const form = dialog.querySelector("form"); if (form) { form.reset(); clearErrors(form); } });
  }

  const place = JSON.parse(sessionStorage.getItem("gatehouse.place") ?? "null");
  sessionStorage.removeItem("gatehouse.place");
  if (place && place.path === location.pathname + location.search) {
    window.scrollTo(0, place.y);
    const target = place.focus && document.getElementById(place.focus);
    if (target) {
      if (!target.matches("a[href], button, input, select, textarea")) target.tabIndex = -1;
      target.focus({ preventScroll: true });
      const box = target.getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) target.scrollIntoView({ block: "center" });
    }
  }
  const saved = sessionStorage.getItem("gatehouse.status");
  if (saved) { sessionStorage.removeItem("gatehouse.status"); status(saved); }

  // For the page scripts loaded after this one (playbook.js): one way to call the API.
  window.gatehouse = Object.freeze({ api, typedJson });
})();
