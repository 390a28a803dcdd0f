// Behaviour the pages declare with data- attributes: the Content-Security-Policy runs no inline
// script, so nothing lives in onclick/oninput attributes.
document.addEventListener("change", (event) => {
  const select = event.target.closest("[data-autosubmit]");
  if (select && select.form) select.form.submit();
});

document.addEventListener("click", (event) => {
  const preset = event.target.closest("[data-tip-preset]");
  if (!preset) return;
  const amount = document.getElementById("amount");
  amount.value = preset.dataset.tipPreset;
  amount.dispatchEvent(new Event("input", { bubbles: true }));
});

document.addEventListener("input", (event) => {
  const amount = event.target.closest("[data-tokens-per-gbp]");
  const shown = document.getElementById("gbp");
  if (!amount || !shown) return;
  const pence = Math.floor(((+amount.value || 0) * 100) / +amount.dataset.tokensPerGbp);
  shown.textContent = "£" + (pence / 100).toFixed(2);
});

// Moments in the reader's own time zone, and how long ago (the page says UTC without script).
const ago = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const steps = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400],
               ["hour", 3600], ["minute", 60]];
for (const shown of document.querySelectorAll("time[datetime]")) {
  const moment = new Date(shown.getAttribute("datetime"));
  if (Number.isNaN(moment.getTime())) continue;
  const seconds = (moment.getTime() - Date.now()) / 1000;
  const [unit, size] = steps.find(([, size]) => Math.abs(seconds) >= size) || ["second", 1];
  shown.textContent = `${moment.toLocaleString()} (${ago.format(Math.round(seconds / size), unit)})`;
  shown.title = shown.getAttribute("datetime");
}

// The media viewer: a picture opens full size over the page (Esc or Close shuts it: a native
// dialog, which gives the focus back); without script, the link opens the picture itself.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-viewer]");
  const viewer = document.getElementById("viewer");
  if (!link || !viewer || typeof viewer.showModal !== "function") return;
  event.preventDefault();
  const picture = viewer.querySelector("img");
  picture.src = link.href;
  picture.alt = link.dataset.viewer;
  viewer.showModal();
});

// A rate limit's or an overload's answer (429, 503) is a message to show where the result would
// have gone: htmx would otherwise drop it and the button would seem to do nothing.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 429 || event.detail.xhr.status === 503) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
