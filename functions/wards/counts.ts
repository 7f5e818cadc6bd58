// k-anonymity for ward figures: a count of 0 to 4 could single out a neighbour, so pages and JSON never show it as a
// number. Every public figure about members or RSVPs passes through publicCount.

/** Counts below this are shown as "fewer than 5". */
export const K_ANONYMITY = 5;

/** `n` as it may be shown publicly: the number from 5 up, "fewer than 5" below. */
export function publicCount(n: number): string {
  return n < K_ANONYMITY ? `fewer than ${K_ANONYMITY}` : String(n);
}

/** A forming ward's progress: "12 of 20 neighbours", or "fewer than 5 of 20 neighbours". */
export function formingProgress(members: number, threshold: number): string {
  return `${publicCount(members)} of ${threshold} neighbours`;
}
