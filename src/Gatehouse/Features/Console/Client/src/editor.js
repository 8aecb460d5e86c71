// Turns each <textarea data-code="javascript|json"> into a code editor (line numbers, syntax
// highlighting, live errors). The textarea stays the form's field: it is hidden and kept in step,
// so the console's forms read it as before, and without this script it is a plain text area.
import { EditorView, basicSetup } from "codemirror";
import { javascript } from "@codemirror/lang-javascript";
import { json, jsonParseLinter } from "@codemirror/lang-json";
import { forceLinting, linter, lintGutter } from "@codemirror/lint";
import { parse } from "acorn";

// Jint parses scripts with Acornima, a port of acorn: the same parser finds the same syntax errors here.
// The function the script must define is read at each check: a command's main, a formatter's format.
function scriptLinter(textarea) {
  return (view) => {
    const requiredFunction = textarea.dataset.codeFunction;
    const text = view.state.doc.toString();
    let program;
    try {
      program = parse(text, { ecmaVersion: "latest", sourceType: "script", locations: true });
    } catch (error) {
      const at = Math.min(error.pos ?? 0, text.length);
      return [{ from: at, to: Math.min(at + 1, text.length), severity: "error", message: error.message.replace(/ \(\d+:\d+\)$/, "") }];
    }
    if (requiredFunction && !definesFunction(program, requiredFunction)) {
      return [{ from: 0, to: Math.min(text.length, 1), severity: "error", message: `The script must define function ${requiredFunction}(…).` }];
    }
    return [];
  };
}

function definesFunction(program, name) {
  return program.body.some((statement) =>
    (statement.type === "FunctionDeclaration" && statement.id?.name === name) ||
    (statement.type === "VariableDeclaration" && statement.declarations.some((d) => d.id?.name === name)));
}

function enhance(textarea) {
  const kind = textarea.dataset.code;
  const nonce = document.querySelector('meta[name="style-nonce"]')?.content;
  const extensions = [basicSetup, EditorView.lineWrapping, lintGutter(), ...(nonce ? [EditorView.cspNonce.of(nonce)] : [])];
  if (kind === "json") {
    extensions.push(json(), linter(jsonParseLinter(), { delay: 300 }));
  } else {
    extensions.push(javascript(), linter(scriptLinter(textarea), { delay: 300 }));
  }
  extensions.push(EditorView.updateListener.of((update) => {
    if (update.docChanged) {
      textarea.value = update.state.doc.toString();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }));
  const label = textarea.id ? document.querySelector(`label[for="${CSS.escape(textarea.id)}"]`) : null;
  if (label) {
    label.id ||= `${textarea.id}-label`;
    extensions.push(EditorView.contentAttributes.of({ "aria-labelledby": label.id }));
  }
  // The editor owns its root's attributes: set them through it, or its next update drops them.
  extensions.push(EditorView.editorAttributes.of({ class: "code-editor", "data-code-for": textarea.id }));
  const view = new EditorView({ doc: textarea.value, extensions });
  textarea.hidden = true;
  textarea.after(view.dom);
  if (label) {
    label.addEventListener("click", () => view.focus());
  }
  // Whoever sets the field's value (a form filled from a rule, say) sets the editor's too.
  textarea.addEventListener("code:set", () => {
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: textarea.value } });
  });
  textarea.addEventListener("code:relint", () => forceLinting(view));
}

document.querySelectorAll("textarea[data-code]").forEach(enhance);
