/* Sign in through the API; the server sets the session cookie and each page carries the CSRF token. */
(() => {
  "use strict";
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = form.email.value.trim();
    const password = form.password.value;
    if (!email || !password) {
      Tandem.showAlert(error, "Enter your email and password.");
      (email ? form.password : form.email).focus();
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await Tandem.api("/auth/login", { method: "POST", body: { email, password } });
      window.location.assign(document.getElementById("next").value || "/console");
    } catch (failure) {
      const text = failure.status === 401 || failure.status === 422
        ? "That email and password don't match an account. Check them and try again."
        : `Couldn't sign in: ${failure.message}`;
      Tandem.showAlert(error, text);
      form.password.select();
      button.disabled = false;
    }
  });
  form.email.focus();
})();
