/* enews-audio: the issue page's player and the paper page's 继续收听 and search. Plain script, no
   framework: the page works without it (native players, chapter links); with it, big buttons drive the
   pages' <audio> elements as one player across the issue. window.enewsPlayer.current() tells where the
   listener is (page, chapter, article, transcript cue) for other parts of the page. */
(function () {
  "use strict";
  var RATES = [0.75, 0.9, 1, 1.1, 1.25, 1.5];
  var body = document.body;
  var root = new URL(body.getAttribute("data-paper-root") || "./", location.href);
  var paperKey = root.pathname;

  function load(key) {
    try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; }
  }
  function save(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: not remembered */ }
  }
  function $(id) { return document.getElementById(id); }
  function clock(seconds) {
    var s = Math.max(0, Math.round(seconds)), m = Math.floor(s / 60);
    return m ? m + "分" + (s % 60) + "秒" : s + "秒";
  }

  /* 大字: bigger text and controls, remembered on this phone. */
  var big = $("big");
  function setBig(on) {
    document.documentElement.classList.toggle("big", on);
    if (big) big.setAttribute("aria-pressed", on ? "true" : "false");
  }
  setBig(load("enews:big") === true);
  if (big) big.addEventListener("click", function () {
    var on = !document.documentElement.classList.contains("big");
    setBig(on);
    save("enews:big", on);
  });

  /* The feed's address in full, to copy into a podcast app; never a file: address, which no app takes
     (a page opened from disk keeps the relative one, and the note under it). */
  var feedLink = $("feed-url");
  if (feedLink && /^https?:$/.test(location.protocol)) {
    feedLink.textContent = new URL(feedLink.getAttribute("href"), location.href).href;
  }

  if ("serviceWorker" in navigator && location.protocol !== "file:") {
    navigator.serviceWorker.register(new URL("sw.js", root).href).catch(function () {});
  }

  if (body.getAttribute("data-issue")) issuePage(body.getAttribute("data-issue"));
  else paperPage();

  function paperPage() {
    var last = load("enews:last:" + paperKey);
    var box = $("resume-latest");
    if (box && last && last.href) {
      var link = document.createElement("a");
      link.href = new URL(last.href, root).href;
      link.className = "resume";
      link.textContent = "继续收听：" + last.label;
      box.appendChild(link);
      box.hidden = false;
    }
  }

  function issuePage(date) {
    var posKey = "enews:pos:" + paperKey + date;
    var pages = Array.prototype.map.call(document.querySelectorAll("section.page"), function (section) {
      var audio = section.querySelector("audio");
      return {
        section: section,
        audio: audio,
        stem: section.id.replace(/^page-/, ""),
        title: section.getAttribute("data-title"),
        chapters: Array.prototype.map.call(section.querySelectorAll(".chapters a[data-start]"), function (a) {
          return { start: parseFloat(a.getAttribute("data-start")), title: a.textContent };
        }),
        articles: Array.prototype.slice.call(section.querySelectorAll("article[data-start]")),
        cues: Array.prototype.map.call(section.querySelectorAll("[data-c]"), function (el) {
          return { number: +el.getAttribute("data-c"), start: parseFloat(el.getAttribute("data-t")), el: el };
        })
      };
    });
    if (!pages.length) return;
    var stops = [];
    pages.forEach(function (page, p) {
      page.chapters.forEach(function (chapter, c) {
        stops.push({ page: p, chapter: c, start: chapter.start, title: chapter.title });
      });
    });
    var current = 0;
    var rate = RATES.indexOf(load("enews:rate")) >= 0 ? load("enews:rate") : 1;
    var shown = { article: null, cue: null, stop: -1 };
    var lastSaved = 0, listened = false;
    var player = $("player"), play = $("play"), rateBox = $("rate");
    player.hidden = false;

    function audio() { return pages[current].audio; }
    function playing() { return !audio().paused && !audio().ended; }

    function applyRate(a) {
      a.defaultPlaybackRate = rate;
      a.playbackRate = rate;
      a.preservesPitch = true; // slowed or quickened speech keeps its voice
      if ("webkitPreservesPitch" in a) a.webkitPreservesPitch = true;
    }

    /* Go to page p at t seconds; start playing when asked (a tap on a button is what lets it). */
    function go(p, t, start) {
      pages.forEach(function (page, i) { if (i !== p && !page.audio.paused) page.audio.pause(); });
      current = p;
      var a = audio();
      applyRate(a);
      if (a.readyState > 0) {
        a.currentTime = t;
      } else {
        a.preload = "metadata"; // the position first; the sound streams as it plays
        a.addEventListener("loadedmetadata", function () { a.currentTime = t; applyRate(a); }, { once: true });
        a.load();
      }
      if (start) {
        var started = a.play();
        if (started && started.catch) started.catch(function () { update(); });
      }
      shown.wanted = t;
      update(t);
    }

    function stopAt(p, t) {
      var found = -1;
      stops.forEach(function (stop, i) { if (stop.page === p && stop.start <= t + 0.3) found = i; });
      if (found < 0) stops.forEach(function (stop, i) { if (found < 0 && stop.page === p) found = i; });
      return found;
    }
    function time() {
      var a = audio();
      return a.readyState > 0 ? a.currentTime : (shown.wanted || 0);
    }

    function update(at) {
      var t = at === undefined ? time() : at;
      var page = pages[current];
      var s = stopAt(current, t);
      if (s !== shown.stop) {
        shown.stop = s;
        $("now-title").textContent = page.title + " · " + (s >= 0 ? stops[s].title : "");
      }
      var article = null;
      page.articles.forEach(function (el) { if (parseFloat(el.getAttribute("data-start")) <= t + 0.3) article = el; });
      if (article && s >= 0 && stops[s].start > parseFloat(article.getAttribute("data-start")) + 0.3) article = null;
      if (article !== shown.article) {
        if (shown.article) { shown.article.classList.remove("now"); shown.article.removeAttribute("aria-current"); }
        if (article) { article.classList.add("now"); article.setAttribute("aria-current", "true"); }
        shown.article = article;
      }
      var cue = null;
      page.cues.forEach(function (c) { if (c.start <= t + 0.05) cue = c; });
      if (cue && article && !article.contains(cue.el)) cue = null;
      if (cue !== shown.cue) {
        if (shown.cue) shown.cue.el.classList.remove("said");
        if (cue) cue.el.classList.add("said");
        shown.cue = cue;
      }
      var on = playing();
      play.setAttribute("aria-pressed", on ? "true" : "false");
      play.querySelector(".word").textContent = on ? "暂停" : "播放";
      play.querySelector(".icon").textContent = on ? "❚❚" : "▶";
    }

    function remember(force) {
      var now = Date.now();
      if (!listened) return;
      if (!force && now - lastSaved < 2000) return;
      lastSaved = now;
      var t = time(), s = stopAt(current, t), page = pages[current];
      var where = { page: page.stem, t: Math.round(t * 10) / 10, title: s >= 0 ? stops[s].title : "", at: now };
      save(posKey, where);
      var newest = load("enews:last:" + paperKey);
      if (newest && newest.date > date) return; // the paper's page offers the newest issue listened to
      save("enews:last:" + paperKey, {
        date: date,
        href: date + "/index.html#p=" + page.stem + "&t=" + where.t,
        label: document.querySelector("h1").textContent + " " + page.title + " " + where.title
      });
    }

    pages.forEach(function (page, p) {
      var a = page.audio;
      a.addEventListener("play", function () {
        listened = true;
        if (current !== p) { pages[current].audio.pause(); current = p; }
        applyRate(a);
        update();
      });
      a.addEventListener("pause", function () { update(); remember(true); });
      a.addEventListener("timeupdate", function () { if (p === current) { update(); if (!a.paused) remember(false); } });
      a.addEventListener("seeked", function () { if (p === current) update(); });
      a.addEventListener("ended", function () {
        if (p + 1 < pages.length) go(p + 1, 0, true); // a page that ends plays on into the next
        else update();
      });
    });

    function toggle() {
      var a = audio();
      if (playing()) a.pause();
      else { applyRate(a); var started = a.play(); if (started && started.catch) started.catch(function () {}); }
      update();
    }
    function step(by) {
      var s = stopAt(current, time()) + by;
      if (s < 0) s = 0;
      if (s >= stops.length) return;
      go(stops[s].page, stops[s].start, true);
    }
    function setRate(value) {
      rate = value;
      save("enews:rate", rate);
      rateBox.value = String(rate);
      pages.forEach(function (page) { applyRate(page.audio); });
    }
    function nudgeRate(by) {
      var i = RATES.indexOf(rate) + by;
      if (i >= 0 && i < RATES.length) setRate(RATES[i]);
    }

    play.addEventListener("click", toggle);
    $("prev").addEventListener("click", function () { step(-1); });
    $("next").addEventListener("click", function () { step(1); });
    rateBox.value = String(rate);
    rateBox.addEventListener("change", function () { setRate(parseFloat(rateBox.value)); });
    pages.forEach(function (page) { applyRate(page.audio); });

    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var tag = event.target.tagName;
      if (/^(INPUT|SELECT|TEXTAREA|AUDIO)$/.test(tag)) return;
      var handled = true;
      if (event.key === " " || event.key === "Spacebar") {
        if (/^(BUTTON|A)$/.test(tag)) return; // a focused button or link is pressed by space itself
        toggle();
      } else if (event.key === "ArrowRight") step(1);
      else if (event.key === "ArrowLeft") step(-1);
      else if (event.key === "ArrowUp") nudgeRate(1);
      else if (event.key === "ArrowDown") nudgeRate(-1);
      else handled = false;
      if (handled) event.preventDefault();
    });

    /* Chapter and "从…起收听" links seek this player instead of opening the MP3. */
    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-start]") : null;
      if (!link) return;
      var p = pages.findIndex(function (page) { return page.audio.id === link.getAttribute("data-player"); });
      if (p < 0) return;
      event.preventDefault();
      go(p, parseFloat(link.getAttribute("data-start")), true);
    });

    /* A link may name where to start: #p=a01&t=83.2, or an article's (#page-a01-2) or page's heading. */
    function follow() {
      var hash = decodeURIComponent(location.hash.slice(1));
      if (!hash) return false;
      var asked = new URLSearchParams(hash);
      if (asked.has("p") && asked.has("t")) {
        var p = pages.findIndex(function (page) { return page.stem === asked.get("p"); });
        if (p >= 0) { go(p, parseFloat(asked.get("t")) || 0, true); reveal(); return true; }
      }
      var target = document.getElementById(hash);
      var section = target && target.closest("section.page");
      if (!section) return false;
      var q = pages.findIndex(function (page) { return page.section === section; });
      var article = target.closest("article[data-start]");
      go(q, article ? parseFloat(article.getAttribute("data-start")) : 0, true);
      return true;
    }
    function reveal() {
      if (shown.article) shown.article.scrollIntoView({ block: "start" });
    }
    window.addEventListener("hashchange", follow);
    window.addEventListener("pagehide", function () { remember(true); });

    /* 继续收听: where this issue was left, offered as a button. */
    var left = load(posKey);
    var resume = $("resume");
    var leftPage = left ? pages.findIndex(function (page) { return page.stem === left.page; }) : -1;
    if (leftPage >= 0 && (left.t > 1 || leftPage > 0)) {
      resume.textContent = "继续收听：" + pages[leftPage].title + " " + (left.title || "") + "，" + clock(left.t) + "处";
      $("resume-box").hidden = false;
      resume.addEventListener("click", function () {
        go(leftPage, Math.max(0, left.t - 2), true); // a moment back, to pick up the thread
        $("resume-box").hidden = true;
      });
    }

    /* 离线收听: this issue's page, audio, chapters and transcripts into the Cache API for sw.js. */
    var offline = $("offline"), status = $("offline-status");
    var cacheName = "enews-issue:" + new URL(".", location.href).pathname;
    if (!("caches" in window) || !("serviceWorker" in navigator)) {
      offline.disabled = true;
      status.textContent = "这个浏览器不能离线收听。";
    } else {
      caches.has(cacheName).then(function (has) {
        if (has) status.textContent = "本期已存好，没有网络也能听。";
      });
      offline.addEventListener("click", function () {
        var files = JSON.parse(offline.getAttribute("data-files"));
        var urls = files.map(function (f) { return new URL(f, location.href).href; });
        urls.push(new URL(".", location.href).href);
        status.textContent = "正在存本期，请稍等……";
        offline.disabled = true;
        if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
        caches.open(cacheName).then(function (cache) { return cache.addAll(urls); }).then(function () {
          status.textContent = "本期已存好，没有网络也能听。";
        }, function () {
          caches.delete(cacheName);
          status.textContent = "没有存好，请连上网络再试一次。";
        }).then(function () { offline.disabled = false; });
      });
    }

    window.enewsPlayer = {
      /* Where the listener is: the page's file stem, chapter and article, and the transcript cue heard
         (its number in that page's .vtt, counted from 1; null outside an article's text). */
      current: function () {
        var t = time(), s = stopAt(current, t);
        return {
          page: pages[current].stem,
          time: t,
          playing: playing(),
          chapter: s >= 0 ? stops[s].chapter : null,
          title: s >= 0 ? stops[s].title : "",
          article: shown.article ? shown.article.getAttribute("aria-labelledby") : null,
          cue: shown.cue ? shown.cue.number : null,
          cueText: shown.cue ? shown.cue.el.textContent : ""
        };
      },
      go: go,
      stops: stops
    };

    if (!follow()) update(0);
  }
})();
