// Glue for a letter's page, shared by the console (/admin/letters/<id>) and a ward's organisers
// (/wards/<slug>/letters/<id>): reads the letter ("new" for none), runs a post through functions/letters/letter-form.ts
// and gathers what the page shows (the form's values, the recipient count, the progress). The pages differ only in
// who writes (their gate) and where they point; the parts they render are the components in src/components/letters/.
import type { AstroGlobal } from "astro";
import { env } from "cloudflare:workers";
import type { FieldErrors } from "@functions/auth/account";
import type { ThrottleRule, ThrottleStore } from "@functions/auth/throttle";
import { guardForm, failWith } from "@functions/http/form-guard";
import { nowSeconds } from "@functions/clock";
import { countRecipients } from "@functions/letters/audience";
import { handleLetterPost, LETTER_DONE, LETTER_FIELDS, LETTER_FORM_BYTES, letterFormValues, mayWriteLetter, refusedFormValues, type LetterPostContext } from "@functions/letters/letter-form";
import { letterProgress, readLetter, type Letter, type LetterProgress } from "@functions/letters/store";
import type { LetterQueue } from "@functions/letters/fan-out";
import { sendTestLetter } from "@functions/letters/message";
import { letterSenderFromEnv, type LettersEnv } from "@functions/letters/runtime";
import { wardBySlug } from "@functions/wards/wards";
import { getSiteUrl } from "./runtime";
import { listLetterEssays } from "./letter-essays";
import type { LetterEssay } from "@functions/letters/letter-form";

/** What a letter's page renders. */
export interface LetterPageState {
  letter: Letter | null;
  values: Record<string, string>;
  errors: FieldErrors;
  problem: string | undefined;
  notice: string | undefined;
  essays: LetterEssay[];
  /** Members the letter would reach if sent now (drafts and scheduled letters). */
  recipients: number | null;
  progress: LetterProgress | null;
  /** False when the writer may read this letter but not change or send it (an editor and a ward letter). */
  mayWrite: boolean;
}

export type LetterPageOutcome = { kind: "redirect"; to: string } | { kind: "missing" } | { kind: "forbidden" } | { kind: "page"; state: LetterPageState };

interface Options {
  /** The writer, actor and the ward a page is fixed to; findEssay, findWard, queue and sendTest are filled in here. */
  context: Pick<LetterPostContext, "db" | "actor" | "writer" | "fixedWardId">;
  store: ThrottleStore;
  throttle: [ThrottleRule, string];
  /** The writer's own address, for test copies. */
  email: string;
  /** The letter page's address for an id ("/admin/letters/<id>"). */
  pathFor: (id: string) => string;
  /** Extra rule for which letters this page may open (the organisers' page: its own ward's letters only). */
  belongs?: (letter: Letter) => boolean;
}

/** Runs the letter page at `id` ("new" for a new letter): a post's outcome, or what the page shows. */
export async function runLetterPage(astro: AstroGlobal, id: string, options: Options): Promise<LetterPageOutcome> {
  const { db } = options.context;
  const letter = id === "new" ? null : await readLetter(db, id);
  if (id !== "new" && (letter === null || (options.belongs && !options.belongs(letter)))) return { kind: "missing" };
  if (letter !== null && !mayWriteLetter(options.context.writer, letter) && astro.request.method === "POST") return { kind: "forbidden" };
  const essays = await listLetterEssays(astro.url.origin);
  const wardSlug = letter?.wardId ? (await db.prepare("SELECT slug FROM wards WHERE id = ?1").bind(letter.wardId).first<{ slug: string }>())?.slug ?? "" : "";
  let values = letterFormValues(letter, wardSlug);
  let errors: FieldErrors = {};
  let problem: string | undefined;
  if (astro.request.method === "POST") {
    const guard = await guardForm(astro.request, options.store, { allowed: LETTER_FIELDS, freeText: ["bodyMarkdown"], maxBytes: LETTER_FORM_BYTES, throttles: () => [options.throttle] });
    if (!guard.ok) problem = failWith(astro.response, guard);
    else {
      const siteUrl = getSiteUrl();
      const context: LetterPostContext = {
        ...options.context, siteUrl, queue: (env as { LETTERS: LetterQueue }).LETTERS,
        findEssay: async (slug) => essays.find((essay) => essay.slug === slug) ?? null,
        findWard: async (slug) => (slug === "" ? null : (await wardBySlug(db, slug))?.id ?? null),
        sendTest: async (saved) => {
          const sender = letterSenderFromEnv(env as unknown as LettersEnv);
          if (sender === null) return false;
          await sendTestLetter(sender, saved, options.email, siteUrl);
          return true;
        },
      };
      const result = await handleLetterPost(context, letter, guard.fields, nowSeconds());
      if (result.ok) return { kind: "redirect", to: `${options.pathFor(result.id)}?done=${result.done}` };
      if (result.status === 403 && letter !== null) return { kind: "forbidden" };
      astro.response.status = result.status;
      errors = result.errors;
      values = refusedFormValues(values, guard.fields);
    }
  }
  const editable = letter !== null && (letter.status === "draft" || letter.status === "scheduled");
  const [recipients, progress] = await Promise.all([
    editable ? countRecipients(db, letter.audience, letter.wardId) : Promise.resolve(null),
    letter !== null && !editable ? letterProgress(db, letter.id) : Promise.resolve(null),
  ]);
  const notice = LETTER_DONE.get(astro.url.searchParams.get("done") ?? "");
  const mayWrite = letter === null || mayWriteLetter(options.context.writer, letter);
  return { kind: "page", state: { letter, values, errors, problem, notice, essays, recipients, progress, mayWrite } };
}
