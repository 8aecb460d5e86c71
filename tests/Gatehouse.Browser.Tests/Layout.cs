namespace Gatehouse.Browser.Tests;

/// <summary>Checks of a rendered page, run in the browser: words kept whole, every control labelled.</summary>
public static class Layout
{
    /// <summary>Words of the visible text (code and raw JSON aside) that the layout split over two lines.</summary>
    public const string BrokenWords = """
        () => {
          const broken = [];
          const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
          for (let node; (node = walker.nextNode()); ) {
            const el = node.parentElement;
            if (!el || el.closest('pre, code, .mono, .ident, [hidden], template, dialog:not([open])') || el.getClientRects().length === 0) continue;
            // A line may end after a space, a slash or a hyphen; a word itself is never split.
            for (const m of node.data.matchAll(/[^\s\/-]+/g)) {
              if (m[0].length > 40) continue; // longer than any column: it must break somewhere
              const range = document.createRange();
              range.setStart(node, m.index);
              range.setEnd(node, m.index + m[0].length);
              const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
              if (lines.size > 1) broken.push(`"${m[0]}" in <${el.tagName.toLowerCase()} class="${el.className}">`);
            }
          }
          return broken;
        }
        """;

    /// <summary>Every control on a page that has no label a screen reader could announce.</summary>
    public const string UnlabelledControls = """
        () => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
          .filter(c => !(c.labels && c.labels.length) && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby') && !(c.tagName === 'BUTTON' && c.textContent.trim()))
          .map(c => c.outerHTML.slice(0, 120))
        """;
}
