// "Download my data": everything the site holds about the signed-in member, as a JSON attachment.
import type { APIRoute } from "astro";
import { exportUserData } from "@functions/auth/account-data";
import { nowSeconds } from "@functions/clock";
import { getDb } from "@src/lib/runtime";

export const prerender = false;

export const GET: APIRoute = async ({ locals, redirect }) => {
  if (locals.user === null) return redirect("/login?next=/account", 303);
  const data = await exportUserData(getDb(), locals.user.id, nowSeconds());
  if (data === null) return redirect("/login?next=/account", 303);
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": 'attachment; filename="smallism-my-data.json"',
    },
  });
};
