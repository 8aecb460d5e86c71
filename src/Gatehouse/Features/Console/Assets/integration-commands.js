// An integration's commands as forms: one per command (its request, parameters and result), kept in step with the
// commands' JSON, which is what saving sends, and checked as saving checks them (POST /api/integrations/commands/validate).
"use strict";
(() => {
  const section = document.querySelector("[data-integration-commands]");
  if (!section) return;
  const { element, field, input, jsonArea, bind, readJson, checkArea } = window.gatehouseForms;
  const source = document.getElementById(section.dataset.integrationCommands);
  const cards = section.querySelector("[data-command-forms]");
  const prefix = section.id;
  const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];
  const COMMAND_ERROR = /^'?commands\[(\d+)\]/;
  let model = [];

  // Query parameters and headers are a line each: "name=value" and "Name: value".
  const lines = (map, separator) => Object.entries(map ?? {}).map(([name, value]) => `${name}${separator}${value}`).join("\n");
  function readLines(text, separator) {
    const map = {};
    for (const line of text.split(/\r?\n/).map(l => l.trim()).filter(Boolean)) {
      const at = line.indexOf(separator.trim());
      if (at <= 0) return null;
      map[line.slice(0, at).trim()] = line.slice(at + separator.trim().length).trim();
    }
    return map;
  }

  const binding = bind(source, {
    usable: parsed => Array.isArray(parsed),
    onRead: (parsed, usable) => {
      cards.querySelectorAll("fieldset").forEach(f => { f.disabled = !usable; });
      if (!usable) return;
      model = parsed;
      render();
    },
    check: {
      url: section.dataset.validateUrl,
      body: commands => ({ commands }),
      clear: () => cards.querySelectorAll(".task-errors").forEach(list => list.replaceChildren()),
      route: message => { const at = COMMAND_ERROR.exec(message); return at && document.getElementById(`${prefix}-command${at[1]}-errors`); },
      summary: result => result.commands === 0 ? "No commands yet." : `No problems found: ${result.commands} command${result.commands === 1 ? "" : "s"}, ready to save.`,
      show: checkArea(section.querySelector("[data-check]"), section.querySelector("[data-check-errors]")),
    },
  });

  function card(command, i) {
    const id = (name) => `${prefix}-command${i}-${name}`;
    const request = command.request && typeof command.request === "object" ? command.request : (command.request = { method: "GET", path: "/" });
    const fieldset = element("fieldset", { className: "task-card" },
      element("legend", { textContent: `Command ${i + 1}${command.name ? `: ${command.name}` : ""}` }),
      element("ul", { className: "errors task-errors", id: id("errors") }),
      element("div", { className: "form-grid" },
        field(id("name"), "Name", input(id("name"), "name", command.name, { autocomplete: "off", spellcheck: false })),
        field(id("description"), "Description", input(id("description"), "description", command.description))),
      element("div", { className: "form-grid" },
        field(id("method"), "Method", element("select", { id: id("method"), name: "method" },
          ...METHODS.map(m => element("option", { value: m, textContent: m, selected: String(request.method ?? "GET").toUpperCase() === m })))),
        field(id("path"), "Path", input(id("path"), "path", request.path, { autocomplete: "off", spellcheck: false }),
          element("p", { className: "note", textContent: "Relative to the site's connection, such as /api/v3/ip_addresses/{{Ip}}." }))),
      element("div", { className: "form-grid" },
        field(id("query"), "Query (a line each: name=value)", element("textarea", { id: id("query"), name: "query", rows: 2, spellcheck: false, className: "task-json", value: lines(request.query, "=") })),
        field(id("headers"), "Headers (a line each: Name: value)", element("textarea", { id: id("headers"), name: "headers", rows: 2, spellcheck: false, className: "task-json", value: lines(request.headers, ": ") }))),
      field(id("body"), "Body (JSON; empty: none)", jsonArea(id("body"), "body", request.body ?? undefined)),
      field(id("parameters"), "Parameters (JSON list, as a utility command's: name, type, required, default, allowedValues, description)", jsonArea(id("parameters"), "parameters", command.parameters ?? [])),
      element("div", { className: "form-grid" },
        field(id("returnDataPath"), "Return data path (JSONPath into the answer; empty: all of it)", input(id("returnDataPath"), "returnDataPath", command.returnDataPath, { autocomplete: "off", spellcheck: false })),
        field(id("timeoutSeconds"), "Timeout (s)", input(id("timeoutSeconds"), "timeoutSeconds", command.timeoutSeconds, { type: "number", min: 1 }))),
      element("button", { type: "button", className: "danger", textContent: `Remove command ${command.name || i + 1}` }));
    fieldset.addEventListener("input", e => update(command, request, e.target));
    fieldset.querySelector("button.danger").addEventListener("click", () => { model.splice(i, 1); binding.clearFieldErrors(); render(); binding.write(model); });
    return fieldset;
  }

  function update(command, request, el) {
    const name = el.name, text = el.value;
    if (name === "name" || name === "description" || name === "returnDataPath") {
      if (text === "" && name !== "name") delete command[name]; else command[name] = text;
    } else if (name === "method" || name === "path") {
      request[name] = text;
    } else if (name === "timeoutSeconds") {
      if (text.trim() === "") delete command.timeoutSeconds; else command.timeoutSeconds = Number(text);
    } else if (name === "query" || name === "headers") {
      const map = readLines(text, name === "query" ? "=" : ": ");
      if (map === null) { binding.fieldError(el.id, name === "query" ? "Each line is name=value." : "Each line is Name: value."); return; }
      binding.fieldError(el.id, null);
      if (Object.keys(map).length) request[name] = map; else delete request[name];
    } else if (name === "body" || name === "parameters") {
      const read = readJson(text, name === "parameters" ? "list" : "any");
      if (read.error) { binding.fieldError(el.id, name === "parameters" ? "Not a JSON list yet, such as [{\"name\": \"Ip\", \"type\": \"Text\", \"required\": true}]: the last one that was is kept." : "Not JSON yet: the last body that was is kept."); return; }
      binding.fieldError(el.id, null);
      if (read.empty) { if (name === "body") delete request.body; else command.parameters = []; } else (name === "body" ? request : command)[name] = read.value;
    } else return;
    binding.write(model);
  }

  function render() {
    cards.replaceChildren(...model.map((c, i) => c && typeof c === "object" && !Array.isArray(c) ? card(c, i)
      : element("fieldset", { className: "task-card", disabled: true }, element("legend", { textContent: `Command ${i + 1}` }),
        element("p", { className: "field-error", textContent: "This command is not a JSON object: fix it in the JSON below." }))));
  }

  section.querySelector("[data-add-command]").addEventListener("click", () => {
    model.push({ name: "", description: "", parameters: [], request: { method: "GET", path: "/" } });
    render();
    binding.write(model);
    cards.lastElementChild?.querySelector("input")?.focus();
  });
  binding.read();
})();
