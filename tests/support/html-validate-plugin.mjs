// The project's own html-validate rule (loaded by .htmlvalidate.json): nothing may stand outside <html>.
// html-validate keeps anything written after </html> at the document's root and no built-in rule looks there,
// while the W3C Nu checker rejects it ("Stray start tag script"): Astro emits a page's top-level <script>
// after the layout it wraps, that is after </html>.
import { definePlugin, Rule } from "html-validate";

/** Reports every element, and any text that is not white space, at the document root beside <html>. */
class NothingOutsideHtml extends Rule {
  documentation() {
    return {
      description: "A document holds exactly one <html> element, and nothing after </html>: browsers move what follows into <body>, validators reject it.",
      url: "https://html.spec.whatwg.org/multipage/parsing.html#parsing-main-afterafterbody",
    };
  }

  setup() {
    this.on("dom:ready", ({ document }) => {
      let seenHtml = false;
      for (const node of document.root.childNodes) {
        if (node.nodeType === 1 && node.tagName === "html" && !seenHtml) {
          seenHtml = true;
          continue;
        }
        if (node.nodeType === 1) this.report(node, `<${node.tagName}> stands outside <html>: move it inside <body>`);
        else if (node.nodeType === 3 && node.textContent.trim() !== "") this.report(null, "text stands outside <html>", node.location);
      }
    });
  }
}

export default definePlugin({
  name: "smallism",
  rules: { "smallism/nothing-outside-html": NothingOutsideHtml },
});
