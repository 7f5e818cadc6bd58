// Signed-in hint: see functions/auth/signed-in-hint.ts (tests/unit/signed-in-hint.test.ts checks this pattern).
if (/(?:^|;\s*)(?:__Host-)?smallism_signed_in=1(?:;|$)/.test(document.cookie)) document.documentElement.classList.add("signed-in");
