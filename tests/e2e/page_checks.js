/* Runs in every page of a JavaScript-enabled test browser, after axe-core
   (added before it as an init script). After the page has loaded and after
   every htmx swap it checks, and reports to the test through the binding
   window.__e2eReport:
   - axe-core's violations (the test decides which count),
   - whether the document is wider than the viewport (sideways scrolling),
   - every Content-Security-Policy violation. */
(function () {
  "use strict";
  if (window.top !== window) return;
  var queue = Promise.resolve();
  var timer = null;

  function report(kind, detail) {
    if (typeof window.__e2eReport === "function") {
      window.__e2eReport({ kind: kind, url: window.location.href, detail: detail });
    }
  }

  function check(when) {
    queue = queue.then(function () {
      if (!document.documentElement) return null;
      var width = document.documentElement.scrollWidth;
      var viewport = window.innerWidth;
      if (width > viewport) {
        report("width", { when: when, width: width, viewport: viewport, widest: widest(viewport) });
      }
      return window.axe.run(document, { resultTypes: ["violations"] }).then(function (results) {
        report("axe", {
          when: when,
          violations: results.violations.map(function (v) {
            return {
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 5).map(function (n) { return n.target.join(" "); })
            };
          })
        });
      });
    }).catch(function (error) { report("error", { when: when, message: String(error) }); })
      .then(function () { report("checked", { when: when }); });
    return queue;
  }

  function widest(viewport) {
    var found = [];
    document.querySelectorAll("body *").forEach(function (el) {
      var box = el.getBoundingClientRect();
      if (box.right > viewport + 1 && found.length < 5) {
        found.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
          (el.className && el.className.baseVal === undefined ? "." + String(el.className).split(" ").join(".") : "") +
          " right=" + Math.round(box.right));
      }
    });
    return found;
  }

  function soon(when) {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { check(when); }, 60);
  }

  window.__e2eCheck = function () { return check("asked"); };

  document.addEventListener("securitypolicyviolation", function (event) {
    report("csp", { directive: event.violatedDirective, blocked: event.blockedURI,
      sample: event.sample, source: event.sourceFile, line: event.lineNumber });
  });
  if (window.__e2eManual) return;  // the checker of pages shown without JavaScript
  window.addEventListener("load", function () { soon("load"); });
  document.addEventListener("htmx:afterSettle", function () { soon("swap"); });
})();
