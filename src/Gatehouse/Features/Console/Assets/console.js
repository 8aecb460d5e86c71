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

  async function api(method, url, body) {
    const init = { method, credentials: "same-origin", headers: { "Accept": "application/json", "X-CSRF-Token": csrf() } };
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    const response = await fetch(url, init);
    const text = await response.text();
    const json = text ? JSON.parse(text) : null;
    if (!response.ok) throw new Error(json?.Error ?? json?.detail ?? `${response.status} ${response.statusText}`);
    return json;
  }
  // Builds a JSON body from a form: checkboxes are booleans, multiple selects and data-type=list
  // fields are arrays, data-type int/json shape the value, data-type=lines is a list of its non-empty
  // lines; disabled and hidden fields, and empty data-omit-empty fields, are left out.
  function formBody(form) {
    const body = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled || el.closest(".hidden")) continue;
      const type = el.dataset.type;
      let value;
      if (el.type === "checkbox") value = el.checked;
      else if (el.multiple) value = [...el.selectedOptions].map(o => o.value);
      else if (type === "list") { (body[el.name] ??= []); if (el.value.trim()) body[el.name].push(el.value.trim()); continue; }
      else if (el.value.trim() === "" && el.dataset.omitEmpty !== undefined) continue;
      else if (type === "lines") value = el.value.split(/[\r\n,]+/).map(l => l.trim()).filter(l => l);
      else if (type === "int") value = el.value.trim() === "" ? null : parseInt(el.value, 10);
      else if (type === "json") value = el.value.trim() === "" ? null : JSON.parse(el.value);
      else value = el.value;
      body[el.name] = value;
    }
    for (const el of form.querySelectorAll("[data-type=list][data-omit-empty]")) if (body[el.name]?.length === 0) delete body[el.name];
    return body;
  }

  async function then(form, result) {
    const next = form.dataset.then ?? "reload";
    if (next === "reload") { sessionStorage.setItem("gatehouse.status", form.dataset.done ?? "Saved."); location.reload(); }
    else if (next.startsWith("goto:")) { sessionStorage.setItem("gatehouse.status", form.dataset.done ?? "Saved."); location.href = next.slice(5).replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(result?.[name] ?? "")); }
  }

  document.addEventListener("submit", async e => {
    const form = e.target;
    if (!form.dataset.apiUrl) return;
    e.preventDefault();
    try {
      const body = form.dataset.shape === "integration" ? integrationBody(form)
        : form.dataset.bodyFrom ? JSON.parse(document.getElementById(form.dataset.bodyFrom).value) : formBody(form);
      const result = await api(form.dataset.apiMethod ?? "POST", form.dataset.apiUrl, body);
      await then(form, result);
    } catch (err) { status(err.message, true); }
  });

  // Buttons that call the API: data-api-url, data-api-method, data-confirm, data-body-from (a form or a JSON field).
  document.addEventListener("click", async e => {
    const button = e.target.closest("button[data-api-url]");
    if (!button) return;
    if (button.dataset.confirm && !confirm(button.dataset.confirm)) return;
    try {
      const bodySource = button.dataset.bodyFrom ? document.getElementById(button.dataset.bodyFrom) : null;
      const body = bodySource ? (bodySource.tagName === "FORM" ? formBody(bodySource) : JSON.parse(bodySource.value)) : undefined;
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
        text = secret.headerValue ?? secret.secretKey;
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
        if (holding) { target.textContent = secret.secretKey ?? secret.headerValue; target.dataset.revealed = "true"; }
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
      for (const option of target.options) {
        const hide = option.dataset.kind && option.dataset.kind !== el.value;
        option.hidden = hide; option.disabled = hide;
        if (hide && option.selected) target.value = "";
      }
    }
  }
  document.addEventListener("change", e => { if (e.target.closest("[data-shows],[data-enables],[data-filters]")) applyToggles(); });
  applyToggles();

  // Intake mapping editor: one fieldset per intake command, rows of field and source.
  function intakeBody(fieldset) {
    const value = role => fieldset.querySelector(`[data-role=${role}]`)?.value.trim();
    const intake = { mainJsonPath: value("mainJsonPath") || "$", fieldMappings: [] };
    if (value("eventsJsonPath")) intake.eventsJsonPath = value("eventsJsonPath");
    for (const row of fieldset.querySelectorAll("tbody .mapping-row")) {
      const field = row.querySelector("[data-role=field]").value.trim(), source = row.querySelector("[data-role=source]").value.trim();
      if (field || source) intake.fieldMappings.push({ field, source });
    }
    return intake;
  }
  function integrationBody(form) {
    const body = { commands: JSON.parse(document.getElementById("integration-commands").value || "[]") };
    for (const fieldset of form.querySelectorAll("fieldset[data-intake]")) {
      const enabled = fieldset.querySelector("[data-role=enabled]");
      if (!enabled || enabled.checked) body[fieldset.dataset.intake] = intakeBody(fieldset);
    }
    return body;
  }
  document.getElementById("preview-mapping")?.addEventListener("click", async () => {
    const output = document.getElementById("mapping-preview");
    try {
      const body = integrationBody(document.getElementById("integration-form"));
      body.intake = document.getElementById("preview-intake").value;
      body.sample = JSON.parse(document.getElementById("sample-json").value);
      output.textContent = JSON.stringify(await api("POST", "/api/integrations/mapping-preview", body), null, 2);
      status("Preview updated.");
    } catch (err) { output.textContent = ""; status(err.message, true); }
  });

  // Escape closes a dialog page, as it would a modal.
  document.addEventListener("keydown", e => {
    if (e.key === "Escape" && !e.target.closest("select, textarea")) document.querySelector(".dialog .close")?.click();
  });

  const saved = sessionStorage.getItem("gatehouse.status");
  if (saved) { sessionStorage.removeItem("gatehouse.status"); status(saved); }
})();
