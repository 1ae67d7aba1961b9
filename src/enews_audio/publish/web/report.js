/* enews-audio: 读错了 — a listener tells the paper which sentence the voice misread.

   Each article gets a button; it opens one small form that already knows the issue, the page, the article
   and the sentence (the transcript cue heard now if it is in that article, else the article's first),
   with one optional field. Sending POSTs JSON to the paper folder's "reports" (enews-audio serve --reports
   answers 201). Anything else that means "no one takes reports here" — 404, 405, a network error, a page
   opened from a file — offers an e-mail to the paper's owner with the same facts instead. Nothing the
   listener types is ever put into the page as markup: only textContent and a mailto: URL. */
(function () {
  "use strict";
  var body = document.body;
  var date = body.getAttribute("data-issue");
  if (!date) return;
  var email = body.getAttribute("data-report-email") || "";
  var root = new URL(body.getAttribute("data-paper-root") || "./", location.href);
  var served = /^https?:$/.test(location.protocol);
  if (!served && !email) return; // nowhere to send a report: no button
  var NOTE_MAX = 200;
  var paper = (document.querySelector("h1") || { textContent: "" }).textContent.trim();

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  /* One form for the issue, moved under the article whose button opened it. */
  var box = el("div", { id: "report-box", "class": "report-box" });
  var form = el("form", { id: "report-form", "aria-labelledby": "report-title", hidden: "" });
  var title = el("h4", { id: "report-title", tabindex: "-1" }, "告诉我们哪里读错了");
  var facts = el("p", { id: "report-facts", "aria-live": "polite" });
  var which = el("p", { "class": "report-actions" });
  var earlier = el("button", { type: "button", id: "report-prev" }, "前一句");
  var later = el("button", { type: "button", id: "report-next" }, "后一句");
  which.appendChild(earlier);
  which.appendChild(later);
  var noteRow = el("p");
  var label = el("label", { "for": "report-note" }, "哪里听着不对？（可以不填，最多200字）");
  var note = el("textarea", { id: "report-note", maxlength: String(NOTE_MAX), rows: "2" });
  noteRow.appendChild(label);
  noteRow.appendChild(note);
  var actions = el("p", { "class": "report-actions" });
  var send = el("button", { type: "submit" }, "发送");
  var cancel = el("button", { type: "button" }, "取消");
  actions.appendChild(send);
  actions.appendChild(cancel);
  form.appendChild(title);
  form.appendChild(facts);
  form.appendChild(which);
  form.appendChild(noteRow);
  form.appendChild(actions);
  var status = el("p", { id: "report-status", role: "status", "aria-live": "polite" });
  box.appendChild(form);
  box.appendChild(status);
  var opener = null, asked = null;

  Array.prototype.forEach.call(document.querySelectorAll("section.page article[aria-labelledby]"), function (article) {
    var heading = document.getElementById(article.getAttribute("aria-labelledby"));
    var row = el("p", { "class": "report" });
    var button = el("button", { type: "button", "class": "report-open", "aria-expanded": "false", "aria-controls": "report-form" }, "读错了");
    var which = el("span", { "class": "sr" }, "：" + (heading ? heading.textContent : ""));
    button.appendChild(which);
    row.appendChild(button);
    article.appendChild(row);
    button.addEventListener("click", function () { open(article, button, row); });
  });

  /* What is being reported: page, article, the cue (number in the page's .vtt) and its text. */
  function facts_of(article) {
    var section = article.closest("section.page");
    var page = section.id.replace(/^page-/, "");
    var heading = document.getElementById(article.getAttribute("aria-labelledby"));
    var now = window.enewsPlayer ? window.enewsPlayer.current() : null;
    var cues = Array.prototype.slice.call(article.querySelectorAll("[data-c]"));
    var at = 0;
    if (now && now.page === page && now.cue && now.article === article.getAttribute("aria-labelledby")) {
      cues.forEach(function (c, i) { if (+c.getAttribute("data-c") === now.cue) at = i; });
    }
    return {
      page: page,
      pageTitle: section.getAttribute("data-title") || page.toUpperCase(),
      article: heading ? heading.textContent : "",
      cues: cues,
      at: at,
      cue: null,
      text: ""
    };
  }

  function open(article, button, row) {
    if (opener) opener.setAttribute("aria-expanded", "false");
    opener = button;
    asked = facts_of(article);
    pick(asked.at);
    Array.prototype.forEach.call(document.querySelectorAll("audio"), function (a) { a.pause(); });
    note.value = "";
    status.textContent = "";
    clearChildren(status);
    row.after(box);
    form.hidden = false;
    send.disabled = false;
    button.setAttribute("aria-expanded", "true");
    title.focus();
  }

  /* The sentence meant: the one heard when the button was pressed, or one before or after it (a listener
     often presses it once the next sentence has begun). */
  function pick(at) {
    var cue = asked.cues[at];
    asked.at = at;
    asked.cue = cue ? +cue.getAttribute("data-c") : null;
    asked.text = cue ? cue.textContent : "";
    facts.textContent = asked.pageTitle + "《" + asked.article + "》" +
      (asked.cue ? "，这一句：“" + asked.text + "”" : "");
    which.hidden = asked.cues.length < 2;
    earlier.disabled = at <= 0;
    later.disabled = at >= asked.cues.length - 1;
  }
  earlier.addEventListener("click", function () { pick(asked.at - 1); });
  later.addEventListener("click", function () { pick(asked.at + 1); });

  function close(toButton) {
    form.hidden = true;
    if (opener) {
      opener.setAttribute("aria-expanded", "false");
      if (toButton) opener.focus();
    }
  }

  function clearChildren(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function say(text) {
    clearChildren(status);
    status.textContent = text;
  }

  /* The same facts by e-mail, for a page no server takes reports for. */
  function offerMail() {
    clearChildren(status);
    if (!email) { say("这里不能直接发送报告，请联系报社。"); return; }
    var lines = [
      "报纸：" + paper,
      "日期：" + date,
      "版面：" + asked.pageTitle + "（" + asked.page + "）",
      "文章：" + asked.article,
      "句子：" + (asked.cue ? "第" + asked.cue + "句 “" + asked.text + "”" : "（未知）"),
      "哪里不对：" + (note.value.trim() || "（未填）"),
      "",
      "issue=" + date + " page=" + asked.page + " cue=" + (asked.cue || "")
    ];
    var href = "mailto:" + encodeURIComponent(email).replace(/%40/g, "@") +
      "?subject=" + encodeURIComponent("读错了：" + paper + " " + asked.pageTitle) +
      "&body=" + encodeURIComponent(lines.join("\n"));
    status.appendChild(document.createTextNode("这里不能直接发送，请用电子邮件告诉我们："));
    var link = el("a", { id: "report-mail", href: href }, "发电子邮件报告读错的地方");
    status.appendChild(link);
    close(false);
    link.focus();
  }

  cancel.addEventListener("click", function () { close(true); });
  form.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); close(true); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!asked) return;
    if (!served || !asked.cue) { offerMail(); return; }
    send.disabled = true;
    say("正在发送……");
    var report = { issue: date, page: asked.page, cue: asked.cue, note: note.value.trim().slice(0, NOTE_MAX) };
    fetch(new URL("reports", root).href, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(report)
    }).then(function (answer) {
      send.disabled = false;
      if (answer.status === 201) {
        close(true);
        say("谢谢！已经收到您的报告，我们会尽快改正这个读音。");
      } else if (answer.status === 429) {
        say("这一会儿报告太多了，请过一分钟再发送。");
      } else if (answer.status === 400 || answer.status === 413 || answer.status === 415) {
        say("没有发送成功：请去掉特殊符号，或者少写几个字，再试一次。");
      } else {
        offerMail();
      }
    }, function () {
      send.disabled = false;
      offerMail();
    });
  });
})();
