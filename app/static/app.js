/* What htmx leaves to the page: failed requests, focus after a swap, the one
   live status region, loading indicators, and keeping what a person typed when
   the session ran out. Every page works without this file; it only makes the
   in-place changes as clear as full page loads are.

   The Content-Security-Policy allows no inline script: the words come from
   data-msg-* attributes of <body>, in the page's language. */
(function () {
  "use strict";

  var KEPT = "techniekpoort:kept-form";
  var SLOW_MS = 300;

  function message(name, status) {
    var text = document.body.getAttribute("data-msg-" + name) || "";
    return text.replace("{status}", status === undefined ? "" : String(status));
  }

  function announce(text) {
    var region = document.getElementById("status");
    if (!region) return;
    // A change of text is what screen readers announce: clear it first so the
    // same words twice are read twice.
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function pagePath() {
    return window.location.pathname + window.location.search;
  }

  /* --- failed requests: a visible, announced message; nothing is swapped, so
     what the person typed stays in the form. ------------------------------ */

  function showError(text, link) {
    var box = document.getElementById("request-error");
    if (!box) return;
    box.textContent = "";
    var words = document.createElement("span");
    words.textContent = text;
    box.appendChild(words);
    if (link) {
      box.appendChild(document.createTextNode(" "));
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      box.appendChild(a);
    }
    box.hidden = false;
    box.focus();
  }

  function hideError() {
    var box = document.getElementById("request-error");
    if (box && !box.hidden) box.hidden = true;
  }

  function formOf(elt) {
    if (!elt) return null;
    if (elt.tagName === "FORM") return elt;
    return elt.form || elt.closest("form");
  }

  /* The fields of the form a request came from, kept in this tab until the
     person is back on the same page after signing in again. */
  function keepForm(elt) {
    var form = formOf(elt);
    if (!form) return;
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "password" || field.type === "hidden" ||
          field.type === "submit" || field.type === "button" || field.type === "file") return;
      if ((field.type === "checkbox" || field.type === "radio")) {
        fields.push([field.name, field.value, field.checked]);
      } else {
        fields.push([field.name, field.value, null]);
      }
    });
    try {
      window.sessionStorage.setItem(KEPT, JSON.stringify({
        path: pagePath(), action: form.getAttribute("action") || "", fields: fields
      }));
    } catch (e) { /* storage full or switched off: the message still shows */ }
  }

  function restoreForm() {
    var kept;
    try { kept = JSON.parse(window.sessionStorage.getItem(KEPT) || "null"); } catch (e) { kept = null; }
    if (!kept || kept.path !== pagePath()) return;
    window.sessionStorage.removeItem(KEPT);
    var form = null;
    Array.prototype.forEach.call(document.querySelectorAll("form"), function (candidate) {
      if (!form && (candidate.getAttribute("action") || "") === kept.action) form = candidate;
    });
    if (!form) return;
    kept.fields.forEach(function (entry) {
      var name = entry[0], value = entry[1], checked = entry[2];
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name !== name) return;
        if (checked !== null) {
          if (field.value === value) field.checked = checked;
        } else {
          field.value = value;
        }
      });
    });
    var details = form.closest("details");
    if (details) details.open = true;
    var box = document.getElementById("request-error");
    if (box) {
      box.className = "flash flash-info";
      box.setAttribute("role", "status");
    }
    showError(message("restored"));
  }

  function signedOutOrExpired(xhr) {
    return xhr.status === 401 || xhr.getResponseHeader("X-Techniekpoort-Expired") === "1";
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (signedOutOrExpired(xhr)) {
      keepForm(event.detail.elt);
      var next = encodeURIComponent(pagePath());
      showError(message("expired"), {
        href: document.body.getAttribute("data-sign-in-url") + "?next=" + next,
        text: message("sign-in")
      });
      return;
    }
    var text = message("failed", xhr.status);
    // The server's own words, when its answer is one of the error pages.
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var said = doc.querySelector("[data-error-message]");
      if (said && said.textContent.trim()) text = said.textContent.trim() + " " + text;
    } catch (e) { /* not HTML: the general words will do */ }
    showError(text);
  });

  document.addEventListener("htmx:sendError", function () { showError(message("offline")); });
  document.addEventListener("htmx:timeout", function () { showError(message("offline")); });

  /* --- loading: after 300 ms a bar at the top, and aria-busy on the region
     that will change. ------------------------------------------------------ */

  var pending = 0, timer = null;

  function targetOf(event) {
    return event.detail.target || event.detail.elt;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    pending += 1;
    hideError();
    var target = targetOf(event);
    if (timer === null) {
      timer = window.setTimeout(function () {
        var bar = document.getElementById("loading-bar");
        if (bar && pending > 0) bar.hidden = false;
      }, SLOW_MS);
    }
    if (target && target.setAttribute) target.setAttribute("aria-busy", "true");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    pending = Math.max(0, pending - 1);
    var target = targetOf(event);
    if (target && target.removeAttribute) target.removeAttribute("aria-busy");
    if (pending === 0) {
      window.clearTimeout(timer);
      timer = null;
      var bar = document.getElementById("loading-bar");
      if (bar) bar.hidden = true;
    }
  });

  /* --- after a swap: announce the region's news and move focus to it, unless
     the person is still typing in the control that asked (the catalogue's
     search and filters). --------------------------------------------------- */

  function focusable(elt) {
    if (!elt.hasAttribute("tabindex")) elt.setAttribute("tabindex", "-1");
    return elt;
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || !target.isConnected) {
      target = event.detail.elt && event.detail.elt.isConnected ? event.detail.elt : null;
    }
    var requester = event.detail.requestConfig ? event.detail.requestConfig.elt : null;
    var region = target;
    if (event.detail.requestConfig && event.detail.requestConfig.target) {
      region = event.detail.requestConfig.target.isConnected ? event.detail.requestConfig.target : target;
    }
    if (!region) return;
    var news = region.querySelector("[data-announce]") ||
      (region.hasAttribute && region.hasAttribute("data-announce") ? region : null);
    if (news) announce(news.textContent.trim());
    var trigger = requester && requester.isConnected ? requester : null;
    var typing = trigger && (trigger.tagName === "FORM" || trigger.form) &&
      document.activeElement && formOf(document.activeElement) === formOf(trigger) &&
      document.activeElement.tagName !== "BUTTON";
    if (typing) return;
    if (event.detail.requestConfig && event.detail.requestConfig.verb === "get" &&
        trigger && trigger.hasAttribute("data-keep-focus")) return;
    var spot = region.querySelector("[data-focus-after-swap]") ||
      region.querySelector(".flash-error, .field-error, [role=alert]") ||
      region.querySelector("h1, h2, h3") || region;
    focusable(spot).focus({ preventScroll: true });
    if (trigger && trigger.hasAttribute("data-scroll-to-top")) {
      region.scrollIntoView({ block: "start" });
    } else if (spot.getBoundingClientRect().top < 0) {
      spot.scrollIntoView({ block: "start" });
    }
  });

  /* --- the pages' own small behaviours, wired here rather than inline. --- */

  document.addEventListener("DOMContentLoaded", function () {
    restoreForm();
    // A full page submit with errors: the summary at the top takes the focus
    // (autofocus does so too, but not after the page is restored from cache).
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
