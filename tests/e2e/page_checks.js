/* Runs in every page of a test browser, after axe-core (added before it as an
   init script), and reports to the test through the binding window.__e2eReport.

   Each state a page is shown in is checked once: when it has loaded, after
   every htmx swap, and as it is left (beforeunload) or the test ends
   (window.__e2eCheck), unless nothing changed since the last check. A check
   reports
   - axe-core's violations (the test decides which count),
   - whether the document is wider than the viewport (sideways scrolling).
   Every Content-Security-Policy violation is reported as it happens.

   A page about to be left is still being checked when the browser asks for
   the next one: the cookie e2e-check names the check that request must wait
   for, and the test server holds the request until it has been reported
   (conftest.py). */
(function () {
  "use strict";
  if (window.top !== window || !/^https?:$/.test(window.location.protocol)) return;
  var manual = Boolean(window.__e2eManual);  // the checker of pages shown without JavaScript
  var page = Math.random().toString(36).slice(2);
  var queue = Promise.resolve();
  var changed = true;  // since the last check
  var checks = 0;
  var timer = null;

  function report(kind, detail) {
    if (typeof window.__e2eReport === "function") {
      window.__e2eReport({ kind: kind, url: window.location.href, page: page, detail: detail });
    }
  }

  function check(when) {
    checks += 1;
    var mark = page + "." + checks;
    if (!manual) document.cookie = "e2e-check=" + mark + "; path=/; SameSite=Lax";
    queue = queue.then(function () {
      if (!changed) return null;
      changed = false;
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
      .then(function () { report("checked", { when: when, mark: mark }); });
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

  window.__e2eCheck = function () { return check("shown"); };

  document.addEventListener("securitypolicyviolation", function (event) {
    report("csp", { directive: event.violatedDirective, blocked: event.blockedURI,
      sample: event.sample, source: event.sourceFile, line: event.lineNumber });
  });
  if (manual) return;
  report("shown", {});
  new MutationObserver(function () { changed = true; })
    .observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  window.addEventListener("load", function () { check("load"); });
  window.addEventListener("beforeunload", function () { check("leaving"); });
  document.addEventListener("htmx:afterSettle", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { check("swap"); }, 60);
  });
})();
