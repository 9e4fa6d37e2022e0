(() => {
  // Served by `sportello serve` only. Reloads the page after a rebuild; while
  // the last build failed, shows its problems over the last good page.
  let build;
  const lang = document.documentElement.lang || "";
  const events = new EventSource("/_sportello/events?lang=" + encodeURIComponent(lang));
  const el = (tag, text, css) => {
    const e = document.createElement(tag);
    if (text) e.textContent = text;
    if (css) e.style.cssText = css;
    return e;
  };
  events.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (build !== undefined && build !== m.build) {
      location.reload();
      return;
    }
    build = m.build;
    let box = document.getElementById("sportello-problems");
    if (!m.problems.length) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = el("section", "", "position:fixed;inset-inline:0;inset-block-end:0;max-block-size:70vh;overflow:auto;" +
        "z-index:2147483647;background:#fff;color:#1b1b1b;border-block-start:6px solid #b00020;" +
        "box-shadow:0 -4px 16px rgba(0,0,0,.3);padding:1rem;font:16px/1.45 system-ui,sans-serif");
      box.id = "sportello-problems";
      box.setAttribute("role", "alert");
      box.setAttribute("aria-labelledby", "sportello-problems-title");
      document.body.append(box);
    }
    box.lang = m.text.lang;
    box.dir = m.text.dir;
    const title = el("h2", m.text.title, "margin:0 0 .25rem;font-size:1.25rem;color:#b00020");
    title.id = "sportello-problems-title";
    const hide = el("button", m.text.hide, "float:inline-end;font:inherit;padding:.25rem .75rem");
    hide.type = "button";
    hide.onclick = () => box.remove();
    const list = el("ol", "", "padding-inline-start:1.75rem;margin:.5rem 0 0");
    list.dir = "ltr";
    for (const p of m.problems) {
      // The diagnostics themselves are written in English, like the terminal's.
      const item = el("li", "", "margin-block:.75rem;text-align:left");
      item.lang = "en";
      item.dir = "ltr";
      const where = p.file + (p.line ? ":" + p.line + ":" + p.column : "");
      const head = el("p", "", "margin:0");
      head.append(el("strong", (p.error ? "error" : "warning") + ": " + p.message));
      item.append(head, el("p", where, "margin:0;font-family:monospace;direction:ltr;unicode-bidi:isolate;text-align:start"));
      if (p.source !== null) {
        const gutter = p.line ? p.line + " │ " : "";
        const caret = " ".repeat(gutter.length + Math.max(0, (p.column || 1) - 1)) + "^ " + p.label;
        const quote = el("pre", gutter + p.source + "\n" + caret,
          "margin:.25rem 0;padding:.5rem;background:#f3f3f3;overflow-x:auto;white-space:pre-wrap;direction:ltr;text-align:left");
        item.append(quote);
      }
      for (const h of p.hints) item.append(el("p", "help: " + h, "margin:0;color:#333"));
      list.append(item);
    }
    box.replaceChildren(hide, title, el("p", m.text.help, "margin:0"), list);
  };
})();
