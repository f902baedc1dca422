// govkg pages: the language switch, and the SPARQL editor (YASGUI, vendored) on "/".
// Nothing here talks to any host but the one that served the page.
(function () {
  "use strict";
  var root = document.documentElement;
  var params = new URLSearchParams(location.search);
  var stored = null;
  try { stored = localStorage.getItem("govkg-lang"); } catch (e) { /* private mode */ }
  var lang = params.get("lang") || stored || root.getAttribute("data-lang") || "en";
  if (lang !== "zh" && lang !== "en") { lang = "en"; }

  function setLang(value) {
    lang = value;
    root.setAttribute("data-lang", value);
    root.setAttribute("lang", value);
    try { localStorage.setItem("govkg-lang", value); } catch (e) { /* ignore */ }
    document.querySelectorAll("select.label-lang").forEach(function (s) { s.value = value; });
  }
  setLang(lang);

  // the schemes a link may have (as govkg.web.links.LINK_SCHEMES; the CSP blocks the rest)
  var SAFE = ["http:", "https:", "mailto:"];

  // IRIs under the dataset base open their page on this server, not on w3id.org
  function localise(href, base) {
    if (href && base && href.indexOf(base) === 0) {
      return "/" + href.slice(base.length);
    }
    return null;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("lang-switch");
    if (button) {
      button.addEventListener("click", function () { setLang(lang === "zh" ? "en" : "zh"); });
    }
    document.querySelectorAll("select.label-lang").forEach(function (s) { s.value = lang; });
    var el = document.getElementById("yasgui");
    if (!el || typeof Yasgui === "undefined") { return; }
    var config = JSON.parse(el.getAttribute("data-config"));
    // YASGUI draws every IRI of a result as a link: one with another scheme (javascript:,
    // data: …) loses its href and stays as text, as on the server's own pages
    function unlink(root) {
      root.querySelectorAll("a[href]").forEach(function (a) {
        if (SAFE.indexOf(a.protocol) < 0) { a.removeAttribute("href"); }
      });
    }
    new MutationObserver(function () { unlink(el); }).observe(el, { childList: true, subtree: true });
    document.addEventListener("click", function (event) {
      var a = event.target.closest && event.target.closest("#yasgui a[href]");
      if (a && SAFE.indexOf(a.protocol) < 0) {  // an IRI like javascript:… is not followed
        event.preventDefault();
        return;
      }
      var local = a && localise(a.getAttribute("href"), config.base);
      if (local) {
        event.preventDefault();
        location.href = local;
      }
    }, true);
    Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
    var yasgui = new Yasgui(el, {
      requestConfig: { endpoint: new URL(config.endpoint, location.href).href, method: "POST" },
      copyEndpointOnNewTab: false,
      endpointCatalogueOptions: { getData: function () { return []; } },
      persistenceId: null,
      yasqe: { value: config.query, autocompleters: ["variables", "prefixes"], collapsePrefixesOnLoad: true },
      yasr: { prefixes: {} },
    });
    var tab = yasgui.getTab();
    if (tab && tab.getYasqe()) { tab.getYasqe().setValue(config.query); }
  });
})();
