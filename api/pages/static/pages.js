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
