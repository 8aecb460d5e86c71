// The playbook builder: a playbook's tasks drawn as a graph (a column per step of waiting, an arrow from a task to
// each task that waits for it) and, for administrators, a form per task kept in step with the definition's JSON,
// which stays the one thing saved. Every change is checked as saving would check it (POST /api/playbooks/validate).
"use strict";
(() => {
  const SVG = "http://www.w3.org/2000/svg";
  const NODE = { width: 200, height: 54 }, GAP = { column: 64, row: 18 }, PAD = 14;
  const TASK_ERROR = /^'?tasks\[(\d+)\]/;

  const svg = (tag, attributes = {}) => {
    const el = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
    return el;
  };
  const cut = (text, length) => text.length > length ? `${text.slice(0, length - 1)}…` : text;
  // Kind and onError are read by the API in any case, padded: the forms show them as it reads them.
  const named = (value, name) => typeof value === "string" && value.trim().toLowerCase() === name;
  const asList = (value) => Array.isArray(value) ? value.filter(v => typeof v === "string") : typeof value === "string" ? [value] : [];

  // A task's column is the longest chain of tasks it waits for; a name that is no task, or a cycle, adds nothing.
  function columnsOf(tasks) {
    const index = new Map(tasks.map((t, i) => [t?.id, i]));
    const column = new Array(tasks.length).fill(null), visiting = new Set();
    const of = (i) => {
      if (column[i] !== null) return column[i];
      if (visiting.has(i)) return 0; // a cycle: saving refuses it; it is drawn, not followed for ever
      visiting.add(i);
      const waits = asList(tasks[i]?.after).map(id => index.get(id)).filter(j => j !== undefined && j !== i);
      const depth = waits.length ? 1 + Math.max(...waits.map(of)) : 0;
      visiting.delete(i);
      return column[i] = depth;
    };
    tasks.forEach((_, i) => of(i));
    return column;
  }

  function drawGraph(host, tasks, { selected, statuses, onSelect }) {
    const column = columnsOf(tasks), columns = [];
    tasks.forEach((_, i) => (columns[column[i]] ??= []).push(i));
    const at = [];
    columns.forEach((members, c) => members.forEach((i, r) => { at[i] = { x: PAD + c * (NODE.width + GAP.column), y: PAD + r * (NODE.height + GAP.row) }; }));
    const width = PAD * 2 + Math.max(1, columns.length) * (NODE.width + GAP.column) - GAP.column;
    const height = PAD * 2 + Math.max(1, ...columns.map(m => m.length)) * (NODE.height + GAP.row) - GAP.row;
    const graph = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "group", "aria-label": `Task graph: ${tasks.length} task${tasks.length === 1 ? "" : "s"}` });
    const marker = svg("marker", { id: `${host.id}-arrow`, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    marker.append(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "task-arrow-head" }));
    const defs = svg("defs");
    defs.append(marker);
    graph.append(defs);
    const index = new Map(tasks.map((t, i) => [t?.id, i]));
    tasks.forEach((task, i) => {
      for (const id of asList(task?.after)) {
        const j = index.get(id);
        if (j === undefined || j === i) continue;
        const from = { x: at[j].x + NODE.width, y: at[j].y + NODE.height / 2 }, to = { x: at[i].x, y: at[i].y + NODE.height / 2 };
        const bend = Math.max(24, (to.x - from.x) / 2);
        graph.append(svg("path", { class: "task-edge", "data-edge": `${id}->${task.id}`, "marker-end": `url(#${host.id}-arrow)`,
          d: `M ${from.x} ${from.y} C ${from.x + bend} ${from.y}, ${to.x - bend} ${to.y}, ${to.x} ${to.y}` }));
      }
    });
    tasks.forEach((task, i) => {
      const id = typeof task?.id === "string" && task.id ? task.id : `(task ${i + 1})`, command = typeof task?.command === "string" ? task.command : "";
      const status = statuses?.[task?.id];
      const node = svg("g", { class: `task-node${i === selected ? " selected" : ""}${status ? ` status-${status}` : ""}`, "data-task": id, transform: `translate(${at[i].x} ${at[i].y})` });
      const title = svg("title");
      title.textContent = [`${id}: ${command || "no command yet"}`, task?.when ? "runs only when its condition holds" : null,
        named(task?.onError, "continue") ? "the run goes on if it fails" : null, status ? `status ${status}` : null].filter(Boolean).join("; ");
      node.append(title, svg("rect", { width: NODE.width, height: NODE.height, rx: 6 }));
      const name = svg("text", { x: 10, y: 21, class: "task-id" }), what = svg("text", { x: 10, y: 40, class: "task-command" });
      // The top right corner says how the task ran, or that it only runs when its condition holds.
      const flag = status ?? (task?.when ? "if" : null);
      name.textContent = cut(id, flag && flag.length > 2 ? 14 : 22);
      what.textContent = cut(command || "no command yet", 26);
      node.append(name, what);
      if (flag) node.append(Object.assign(svg("text", { x: NODE.width - 10, y: 21, class: "task-flag", "text-anchor": "end" }), { textContent: flag }));
      if (onSelect) {
        node.setAttribute("tabindex", "0");
        node.setAttribute("role", "button");
        node.setAttribute("aria-label", `Edit task ${id}`);
        node.addEventListener("click", () => onSelect(i));
        node.addEventListener("keydown", e => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); onSelect(i); } });
      } else {
        node.setAttribute("aria-label", title.textContent);
      }
      graph.append(node);
    });
    host.replaceChildren(graph);
  }

  // The read-only graph of a definition shown as text (readers; a run, coloured by its tasks' outcomes).
  function showGraph(section) {
    const source = document.getElementById(section.dataset.playbookBuilder);
    let definition;
    try { definition = JSON.parse(source?.textContent ?? ""); } catch { return; }
    const statuses = section.dataset.statuses ? JSON.parse(section.dataset.statuses) : null;
    drawGraph(section.querySelector("[data-graph]"), Array.isArray(definition?.tasks) ? definition.tasks : [], { statuses });
  }

  function edit(section) {
    const { element, field, input, jsonArea, bind, readJson, checkArea } = window.gatehouseForms;
    const source = document.getElementById(section.dataset.playbookBuilder);
    const commands = JSON.parse(section.dataset.commands ?? "[]");
    const byName = new Map(commands.map(c => [c.name.toLowerCase(), c]));
    const graph = section.querySelector("[data-graph]"), cards = section.querySelector("[data-task-forms]");
    const prefix = section.id;
    const show = checkArea(section.querySelector("[data-check]"), section.querySelector("[data-check-errors]"));
    let model = null, selected = -1;

    const datalist = section.appendChild(element("datalist", { id: `${prefix}-commands` }));
    for (const c of commands) datalist.append(element("option", { value: c.name, label: c.description ?? "" }));

    const tasks = () => Array.isArray(model?.tasks) ? model.tasks : [];
    const redraw = () => drawGraph(graph, tasks(), { selected, onSelect: select });
    const binding = bind(source, {
      usable: parsed => parsed && typeof parsed === "object" && !Array.isArray(parsed) && (parsed.tasks === undefined || Array.isArray(parsed.tasks)),
      onRead: (parsed, usable) => {
        cards.querySelectorAll("fieldset").forEach(f => { f.disabled = !usable; });
        if (!usable) return;
        model = parsed;
        selected = Math.min(selected, tasks().length - 1);
        renderCards();
        redraw();
      },
      check: {
        url: section.dataset.validateUrl,
        clear: () => cards.querySelectorAll(".task-errors").forEach(list => list.replaceChildren()),
        route: message => { const at = TASK_ERROR.exec(message); return at && document.getElementById(`${prefix}-task${at[1]}-errors`); },
        summary: result => `No problems found: ${result.tasks} task${result.tasks === 1 ? "" : "s"}, ready to save.`,
        show,
      },
    });
    const write = () => { binding.write(model); redraw(); };

    const taskCards = () => cards.querySelectorAll(".task-card:not(.playbook-fields)");
    function highlight(i) {
      selected = i;
      redraw();
      taskCards().forEach((card, j) => card.classList.toggle("selected", j === i));
    }
    function select(i) {
      highlight(i);
      const card = taskCards()[i];
      if (card) { card.scrollIntoView({ block: "nearest" }); card.querySelector("input")?.focus({ preventScroll: true }); }
    }

    // The playbook's own fields; a saved playbook keeps its name and kind (keys and rules name it, and rely on its kind).
    function header() {
      const fixed = section.dataset.fixed === "true";
      const id = (name) => `${prefix}-${name}`;
      const fields = element("fieldset", { className: "task-card playbook-fields" }, element("legend", { textContent: "Playbook" }),
        element("div", { className: "form-grid" },
          field(id("name"), "Name", input(id("name"), "name", model?.name, { readOnly: fixed, autocomplete: "off" })),
          field(id("kind"), "Kind", element("select", { id: id("kind"), name: "kind", disabled: fixed },
            element("option", { value: "Event", textContent: "Event", selected: !named(model?.kind, "incident") }),
            element("option", { value: "Incident", textContent: "Incident", selected: named(model?.kind, "incident") })))),
        field(id("description"), "Description", input(id("description"), "description", model?.description)),
        element("p", { className: "note", textContent: `An event playbook runs on each new event of the keys that name it; an incident playbook when an incident is created or escalated.${fixed ? " A saved playbook keeps its name and kind: keys and rules name it and rely on its kind." : ""}` }));
      fields.addEventListener("input", e => {
        if (!model || !["name", "kind", "description"].includes(e.target.name)) return;
        if (e.target.name === "description" && e.target.value === "") delete model.description; else model[e.target.name] = e.target.value;
        write();
      });
      return fields;
    }

    // One task's form. Fields write into the model as they are typed; JSON fields only once they parse.
    function card(task, i) {
      const id = (name) => `${prefix}-task${i}-${name}`;
      const hint = element("p", { className: "note", id: `${id("command")}-hint` });
      const describe = () => {
        const known = byName.get(String(task.command ?? "").trim().toLowerCase());
        hint.textContent = !task.command ? "Pick a utility command, or an integration's as Integration/Command."
          : !known ? `No command '${task.command}' is known here; saving will refuse it.`
          : known.parameters.length === 0 ? `${known.description ?? ""} It takes no parameters.`.trim()
          : `${known.description ? `${known.description} ` : ""}Parameters: ${known.parameters.map(p => `${p.name} (${p.type}${p.required ? ", required" : ""})`).join(", ")}.`;
      };
      describe();
      const others = tasks().map((t, j) => j).filter(j => j !== i && typeof tasks()[j]?.id === "string" && tasks()[j].id);
      const after = element("div", { className: "task-after", id: id("after"), role: "group" },
        ...(others.length === 0 ? [element("span", { className: "note", textContent: "No other task yet." })]
          : others.map(j => element("label", { className: "inline" },
            element("input", { type: "checkbox", name: "after", value: tasks()[j].id, checked: asList(task.after).includes(tasks()[j].id) }), tasks()[j].id))));
      const fill = element("button", { type: "button", className: "secondary", textContent: "Add missing parameters" });
      const fieldset = element("fieldset", { className: `task-card${i === selected ? " selected" : ""}` },
        element("legend", { textContent: `Task ${i + 1}${task.id ? `: ${task.id}` : ""}` }),
        element("ul", { className: "errors task-errors", id: id("errors") }),
        element("div", { className: "form-grid" },
          field(id("id"), "Id", input(id("id"), "id", task.id, { autocomplete: "off", spellcheck: false })),
          field(id("command"), "Command", input(id("command"), "command", task.command, { autocomplete: "off", spellcheck: false, list: datalist.id }), hint)),
        field(id("params"), "Parameters (JSON; {{ $.event.Title }} templates a value)", jsonArea(id("params"), "params", task.params ?? {}), fill),
        field(id("after"), "After (waits for)", after),
        field(id("when"), "When (a condition as automation rules write it; empty: always)", jsonArea(id("when"), "when", task.when)),
        element("div", { className: "form-grid" },
          field(id("timeoutSeconds"), "Timeout (s)", input(id("timeoutSeconds"), "timeoutSeconds", task.timeoutSeconds, { type: "number", min: 1, max: 3600 })),
          field(id("retries"), "Retries", input(id("retries"), "retries", task.retries, { type: "number", min: 0, max: 10 })),
          field(id("retryDelaySeconds"), "Retry delay (s)", input(id("retryDelaySeconds"), "retryDelaySeconds", task.retryDelaySeconds, { type: "number", min: 0, max: 3600 })),
          field(id("onError"), "On error", element("select", { id: id("onError"), name: "onError" },
            element("option", { value: "stop", textContent: "Stop the run", selected: !named(task.onError, "continue") }),
            element("option", { value: "continue", textContent: "Continue the run", selected: named(task.onError, "continue") })))),
        element("button", { type: "button", className: "danger", textContent: `Remove task ${task.id || i + 1}`, "data-remove-task": String(i) }));
      fieldset.addEventListener("focusin", () => { if (selected !== i) highlight(i); });
      fieldset.addEventListener("input", e => { update(task, e.target); if (e.target.name === "command") describe(); });
      fieldset.addEventListener("change", e => { if (e.target.name === "id") rename(task, e.target); });
      fill.addEventListener("click", () => {
        const known = byName.get(String(task.command ?? "").trim().toLowerCase());
        const params = task.params && typeof task.params === "object" && !Array.isArray(task.params) ? task.params : {};
        for (const p of known?.parameters ?? []) if (!Object.hasOwn(params, p.name)) params[p.name] = p.default ?? "";
        task.params = params;
        fieldset.querySelector("[name=params]").value = JSON.stringify(params, null, 2);
        binding.fieldError(id("params"), null);
        write();
      });
      fieldset.querySelector("[data-remove-task]").addEventListener("click", () => remove(i));
      return fieldset;
    }

    function update(task, el) {
      const name = el.name;
      if (name === "after") {
        const checked = [...el.closest(".task-after").querySelectorAll("input:checked")].map(c => c.value);
        if (checked.length) task.after = checked; else delete task.after;
      } else if (name === "params" || name === "when") {
        const read = readJson(el.value, name === "params" ? "object" : "any");
        if (read.error || (read.empty && name === "params")) {
          binding.fieldError(el.id, name === "params" ? "Not a JSON object yet, such as {\"Text\": \"{{ $.event.Title }}\"}: the last one that was is kept." : "Not JSON yet: the last condition that was is kept.");
          return;
        }
        binding.fieldError(el.id, null);
        if (read.empty) delete task.when; else task[name] = read.value;
      } else if (name === "timeoutSeconds" || name === "retries" || name === "retryDelaySeconds") {
        if (el.value.trim() === "") delete task[name]; else task[name] = Number(el.value);
      } else if (name === "onError") {
        if (el.value === "stop") delete task.onError; else task.onError = el.value;
      } else if (name === "id" || name === "command") {
        task[name] = el.value;
      } else return;
      write();
    }

    // A task renamed keeps the tasks that waited for it waiting for it.
    function rename(task, el) {
      const before = el.defaultValue, after = el.value;
      if (before && before !== after) {
        for (const other of tasks()) if (other !== task && Array.isArray(other?.after)) other.after = other.after.map(id => id === before ? after : id);
      }
      renderCards();
      write();
    }

    function remove(i) {
      const [gone] = tasks().splice(i, 1);
      for (const other of tasks()) {
        if (Array.isArray(other?.after)) { other.after = other.after.filter(id => id !== gone?.id); if (other.after.length === 0) delete other.after; }
      }
      selected = -1;
      binding.clearFieldErrors();
      renderCards();
      write();
    }

    function add() {
      model ??= {};
      model.tasks = tasks();
      const taken = new Set(model.tasks.map(t => t?.id));
      let n = model.tasks.length + 1;
      while (taken.has(`task${n}`)) n++;
      const last = model.tasks.at(-1)?.id;
      model.tasks.push({ id: `task${n}`, command: "", params: {}, ...(typeof last === "string" && last ? { after: [last] } : {}) });
      selected = model.tasks.length - 1;
      renderCards();
      write();
      select(selected);
    }

    function renderCards() {
      cards.replaceChildren(header(), ...tasks().map((t, i) => t && typeof t === "object" && !Array.isArray(t) ? card(t, i)
        : element("fieldset", { className: "task-card", disabled: true }, element("legend", { textContent: `Task ${i + 1}` }),
          element("p", { className: "field-error", textContent: "This task is not a JSON object: fix it in the JSON below." }))));
    }

    section.querySelector("[data-add-task]").addEventListener("click", add);
    binding.read();
  }

  for (const section of document.querySelectorAll("[data-playbook-builder]")) {
    if (section.dataset.editable === "true") edit(section); else showGraph(section);
  }
})();
