(function () {
  "use strict";
  // Draws the communities of the drift report a page at a time from the JSON in #drift-data
  // (its layout is described in src/report/drift/html/data.rs). Text is only ever set with
  // textContent, so nothing from the fleet is read as HTML.
  var PAGE = 50;
  var data = JSON.parse(document.getElementById("drift-data").textContent);
  var strings = data.strings;
  var communities = data.communities;
  var list = document.getElementById("community-list");
  var filter = document.getElementById("community-filter");
  var count = document.getElementById("community-count");
  var previous = document.getElementById("page-previous");
  var next = document.getElementById("page-next");
  var pageNumber = document.getElementById("page-number");
  var shown = [];
  var page = 0;

  function text(index) {
    return index ? strings[index] : "";
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function append(parent, children) {
    children.forEach(function (child) {
      parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return parent;
  }

  function code(content) {
    return element("code", "", content);
  }

  function none(content) {
    return element("span", "none", content);
  }

  function cell(className, children) {
    return append(element("span", className), children);
  }

  function summary(index) {
    var c = communities[index];
    var bespoke = c[10] & 2 ? "num bad" : "num";
    return append(element("summary", c[10] & 1 ? "fail" : ""), [
      cell("name", [code(text(c[0]))]),
      cell("", [c[1] ? code(text(c[1])) : none("none")]),
      cell("num", [String(c[3])]),
      cell(bespoke, [text(c[4])]),
      cell("num", [String(c[5])]),
      cell(c[6] ? "num bad" : "num", [String(c[6])]),
      cell(c[7] ? "num bad" : "num", [String(c[7])]),
    ]);
  }

  function valueOrNone(index, missing) {
    return index ? code(text(index)) : none(missing);
  }

  function overrideRow(o) {
    var kind = text(o[0]);
    var where = element("div", "sub where");
    var place = o[4] ? text(o[3]) + ":" + o[4] + ":" + o[5] : text(o[3]);
    where.appendChild(element("span", "mono", place));
    if (o[11]) {
      append(where, [" ", append(element("span", "shared"), ["shared via mixin ", code(text(o[11]))])]);
    }
    var why = element("td");
    if (o[8]) why.appendChild(document.createTextNode(text(o[8])));
    else if (kind !== "tuned" && kind !== "redundant") why.appendChild(none("no reason given"));
    var notes = [];
    if (o[9]) notes.push("ticket " + text(o[9]));
    var sub = element("div", "sub");
    if (notes.length) sub.textContent = notes.join("");
    if (o[10]) {
      if (notes.length) sub.appendChild(document.createTextNode(" \u00b7 "));
      if (kind === "expired") sub.appendChild(element("b", "late", "expired " + text(o[10])));
      else sub.appendChild(document.createTextNode("expires " + text(o[10])));
    }
    if (o[9] || o[10]) why.appendChild(sub);
    var row = element("tr");
    append(row, [
      append(element("td"), [element("span", "badge " + kind, kind)]),
      append(element("td"), [code(text(o[1])), where]),
      append(element("td"), [
        valueOrNone(o[6], "unset"),
        element("span", "arrow", o[7] ? "+=" : "\u2192"),
        valueOrNone(o[2], "deleted"),
      ]),
      why,
    ]);
    return row;
  }

  function overridesTable(overrides) {
    var table = element("table", "overrides");
    var head = element("thead");
    var header = element("tr");
    ["class", "path and where it is set", "inherited \u2192 value", "why"].forEach(function (title) {
      header.appendChild(element("th", "", title));
    });
    head.appendChild(header);
    var body = element("tbody");
    overrides.forEach(function (o) {
      body.appendChild(overrideRow(o));
    });
    return append(table, [head, body]);
  }

  function alsoSet(overrides) {
    var tuned = overrides.filter(function (o) {
      return text(o[0]) === "tuned";
    }).length;
    var parts = [];
    if (tuned) parts.push(tuned + " tuned");
    if (overrides.length - tuned) parts.push(overrides.length - tuned + " redundant");
    var folded = element("details");
    folded.appendChild(element("summary", "", "Also set: " + parts.join(", ")));
    folded.appendChild(overridesTable(overrides));
    return folded;
  }

  function details(c) {
    var body = element("div", "body");
    var meta = element("p", "meta");
    if (c[1]) append(meta, ["archetype ", code(text(c[1]))]);
    else meta.appendChild(document.createTextNode("no archetype"));
    c[2].forEach(function (mixin, position) {
      append(meta, [position ? ", " : " with ", code(text(mixin))]);
    });
    append(meta, [" \u00b7 " + text(c[8]) + " \u00b7 " + c[3] + " tuned, " + c[9] + " inherited unchanged"]);
    body.appendChild(meta);
    if (c[11].length) body.appendChild(overridesTable(c[11]));
    else body.appendChild(element("p", "none", "Nothing outside the archetype's tuning."));
    if (c[12].length) body.appendChild(alsoSet(c[12]));
    return body;
  }

  function community(index) {
    var folded = element("details", "community");
    folded.id = "c-" + index;
    folded.appendChild(summary(index));
    folded.addEventListener("toggle", function () {
      if (folded.open && folded.childNodes.length === 1) {
        folded.appendChild(details(communities[index]));
      }
    });
    return folded;
  }

  function pages() {
    return Math.max(1, Math.ceil(shown.length / PAGE));
  }

  function render() {
    page = Math.max(0, Math.min(page, pages() - 1));
    var start = page * PAGE;
    var end = Math.min(shown.length, start + PAGE);
    var fragment = document.createDocumentFragment();
    for (var at = start; at !== end; at++) fragment.appendChild(community(shown[at]));
    list.textContent = "";
    list.appendChild(fragment);
    count.textContent = shown.length === communities.length
      ? communities.length + " communities"
      : shown.length + " of " + communities.length + " communities";
    pageNumber.textContent = "page " + (page + 1) + " of " + pages();
    previous.disabled = page === 0;
    next.disabled = page + 1 === pages();
    list.setAttribute("data-shown", String(end - start));
  }

  function select() {
    var query = filter.value.trim().toLowerCase();
    shown = [];
    communities.forEach(function (c, index) {
      var name = (text(c[0]) + " " + text(c[1])).toLowerCase();
      if (!query || name.indexOf(query) !== -1) shown.push(index);
    });
    page = 0;
    render();
  }

  function reveal() {
    var match = /^#c-(\d+)$/.exec(window.location.hash);
    if (!match || Number(match[1]) >= communities.length) return;
    var index = Number(match[1]);
    if (shown.indexOf(index) === -1) {
      filter.value = "";
      select();
    }
    page = Math.floor(shown.indexOf(index) / PAGE);
    render();
    var target = document.getElementById("c-" + index);
    target.open = true;
    target.scrollIntoView();
  }

  filter.addEventListener("input", select);
  previous.addEventListener("click", function () {
    page -= 1;
    render();
  });
  next.addEventListener("click", function () {
    page += 1;
    render();
  });
  window.addEventListener("hashchange", reveal);
  document.getElementById("community-tools").hidden = false;
  select();
  reveal();
})();
