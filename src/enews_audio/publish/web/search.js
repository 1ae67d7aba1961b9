/* enews-audio: 查找文章 on the paper's page, over the issues the feed keeps. The index (search/, written by
   publish/search.py) maps every two-character string of each article to the articles holding it: a query's
   bigrams are looked up (one small file each) and intersected, so any word of two or more characters that
   is in an article finds it, whatever a segmenter would make of it. Results are links to the article's
   heading on its issue page, where the player starts it. */
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-box");
  var out = document.getElementById("search-results");
  var root = new URL(document.body.getAttribute("data-paper-root") || "./", location.href);
  var RUN = /[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
  var files = {};
  box.hidden = false;

  function get(name) {
    if (!files[name]) {
      files[name] = fetch(new URL("search/" + name, root).href).then(function (r) {
        if (!r.ok) throw new Error(name + ": " + r.status);
        return r.json();
      });
      files[name].catch(function () { delete files[name]; });
    }
    return files[name];
  }

  function shard(gram, shards) {
    return (gram.charCodeAt(0) * 31 + gram.charCodeAt(1)) % shards;
  }

  function grams(words) {
    var found = [];
    (words.normalize("NFKC").toLowerCase().match(RUN) || []).forEach(function (run) {
      for (var i = 0; i + 1 < run.length; i++) if (found.indexOf(run.substr(i, 2)) < 0) found.push(run.substr(i, 2));
    });
    return found;
  }

  function say(text) {
    out.textContent = "";
    var p = document.createElement("p");
    p.textContent = text;
    out.appendChild(p);
  }

  async function lookup(words) {
    var wanted = grams(words);
    if (!wanted.length) return null;
    var meta = await get("meta.json");
    var lists = await Promise.all(wanted.map(function (gram) {
      return get(shard(gram, meta.shards) + ".json").then(function (table) {
        var numbers = [], last = 0;
        (table[gram] || []).forEach(function (delta) { last += delta; numbers.push(last); });
        return numbers;
      });
    }));
    lists.sort(function (a, b) { return a.length - b.length; });
    var others = lists.slice(1).map(function (list) { return new Set(list); });
    var found = lists[0].filter(function (n) {
      return others.every(function (set) { return set.has(n); });
    });
    var shown = found.slice(0, 30);
    var chunks = {};
    shown.forEach(function (n) { chunks[Math.floor(n / meta.chunk)] = true; });
    var loaded = {};
    await Promise.all(Object.keys(chunks).map(function (k) {
      return get("d" + k + ".json").then(function (docs) { loaded[k] = docs; });
    }));
    return {
      total: found.length,
      docs: shown.map(function (n) { return loaded[Math.floor(n / meta.chunk)][n % meta.chunk]; })
    };
  }

  async function search(words) {
    words = words.trim();
    if (!words) { say("请输入要找的字词。"); return; }
    say("正在查找……");
    var result;
    try {
      result = await lookup(words);
    } catch (error) {
      say("现在查找不了，请连上网络再试。");
      return;
    }
    if (!result) { say("请至少输入两个字。"); return; }
    out.textContent = "";
    var summary = document.createElement("h3");
    summary.textContent = result.total
      ? "找到" + result.total + "篇文章" + (result.total > result.docs.length ? "，先列出最新的" + result.docs.length + "篇" : "")
      : "没有找到“" + words + "”";
    out.appendChild(summary);
    if (!result.total) return;
    var list = document.createElement("ol");
    result.docs.forEach(function (doc) {
      var li = document.createElement("li");
      li.className = "result";
      var a = document.createElement("a");
      a.href = new URL(doc[0], root).href;
      a.textContent = doc[1];
      var where = document.createElement("p");
      where.className = "meta";
      where.textContent = doc[2];
      li.appendChild(a);
      li.appendChild(where);
      list.appendChild(li);
    });
    out.appendChild(list);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    history.replaceState(null, "", "?q=" + encodeURIComponent(input.value.trim()));
    search(input.value);
  });
  var asked = new URLSearchParams(location.search).get("q");
  if (asked) { input.value = asked; search(asked); }
})();
