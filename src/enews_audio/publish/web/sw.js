/* enews-audio service worker: issues stored with 离线收听 (player.js puts them in the Cache API) are
   answered from the cache when the network is not there. Pages are asked of the network first (a rebuilt
   issue shows its new page), audio and the player's files come from the cache when stored. Audio elements
   ask for byte ranges: a stored full response is cut to the range asked and answered 206, or playback
   fails offline. Nothing is stored that the listener did not ask to store. */
"use strict";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(answer(request));
});

function stored(url) {
  return caches.match(url, { ignoreVary: true });
}

async function answer(request) {
  var url = request.url.split("#")[0];
  var range = request.headers.get("range");
  if (request.mode !== "navigate") {
    var cached = await stored(url);
    if (cached) return range ? slice(cached, range) : cached;
    return fetch(request);
  }
  try {
    return await fetch(request);
  } catch (error) {
    var page = await stored(url.split("?")[0]);
    if (!page && url.endsWith("/")) page = await stored(url + "index.html");
    if (!page && url.endsWith("/index.html")) page = await stored(url.slice(0, -"index.html".length));
    if (page) return page;
    throw error;
  }
}

/* "bytes=START-END", "bytes=START-" or "bytes=-SUFFIX" of a stored response, as a server would answer it. */
async function slice(response, range) {
  var blob = await response.blob();
  var size = blob.size;
  var match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  var start, end;
  if (match && match[1] !== "") {
    start = parseInt(match[1], 10);
    end = match[2] === "" ? size - 1 : Math.min(parseInt(match[2], 10), size - 1);
  } else if (match && match[2] !== "") {
    start = Math.max(0, size - parseInt(match[2], 10));
    end = size - 1;
  }
  if (start === undefined || start > end || start >= size) {
    return new Response(null, { status: 416, headers: { "Content-Range": "bytes */" + size } });
  }
  return new Response(blob.slice(start, end + 1), {
    status: 206,
    statusText: "Partial Content",
    headers: {
      "Content-Type": response.headers.get("Content-Type") || "application/octet-stream",
      "Content-Range": "bytes " + start + "-" + end + "/" + size,
      "Content-Length": String(end - start + 1),
      "Accept-Ranges": "bytes"
    }
  });
}
