/**
 * Text similarity for questions: word overlap (after dropping common words and crude stemming)
 * blended with character-trigram overlap, which catches inflections and typos. Plain TypeScript, no
 * external service: the server ranks "similar questions" for the ask form with it, and the moderator
 * console orders merge candidates with the same function.
 */

const STOPWORDS = new Set(
  (
    "a about above after again against all am an and any are as at be because been before being below between both but by can could " +
    "did do does doing done down during each few for from further had has have having he her here hers him his how i if in into is it " +
    "its itself just me more most my no nor not now of off on once only or other our ours out over own same she should so some such " +
    "than that the their theirs them then there these they this those through to too under until up very was we were what when where " +
    "which while who whom why will with would you your yours please question ask think thoughts"
  ).split(" "),
);

export interface TextFeatures {
  tokens: Set<string>;
  trigrams: Set<string>;
}

function stem(word: string): string {
  if (word.length > 5 && word.endsWith("ing")) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith("ies")) return word.slice(0, -3) + "y";
  if (word.length > 4 && word.endsWith("ed")) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith("s") && !word.endsWith("ss")) return word.slice(0, -1);
  return word;
}

export function textFeatures(text: string): TextFeatures {
  const plain = text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
  const words = plain.split(" ").filter((w) => w && !STOPWORDS.has(w));
  const tokens = new Set(words.map(stem));
  const trigrams = new Set<string>();
  for (const w of words) {
    const padded = `  ${w} `;
    for (let i = 0; i + 3 <= padded.length; i++) trigrams.add(padded.slice(i, i + 3));
  }
  return { tokens, trigrams };
}

function dice(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) shared++;
  return (2 * shared) / (a.size + b.size);
}

/** 0 (nothing in common) to 1 (the same words). */
export function similarity(a: TextFeatures, b: TextFeatures): number {
  return 0.55 * dice(a.tokens, b.tokens) + 0.45 * dice(a.trigrams, b.trigrams);
}

/** Below this, two questions are not worth suggesting as the same. */
export const SIMILAR_MIN_SCORE = 0.3;

/** The best matches for `text` among `candidates`, most similar first. */
export function rankSimilar<T extends { text: string }>(
  text: string,
  candidates: readonly T[],
  opts: { limit?: number; min?: number } = {},
): Array<T & { score: number }> {
  const probe = textFeatures(text);
  if (probe.tokens.size === 0) return [];
  const min = opts.min ?? SIMILAR_MIN_SCORE;
  return candidates
    .map((c) => ({ ...c, score: Math.round(similarity(probe, textFeatures(c.text)) * 100) / 100 }))
    .filter((c) => c.score >= min)
    .sort((x, y) => y.score - x.score)
    .slice(0, opts.limit ?? 3);
}
