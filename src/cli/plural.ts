/** A count in words, singular or plural as it is: "1 check", "2 checks", "0 faults", "1 crash", "3 crashes". */
export function count(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}

/** The word alone, for a count given elsewhere in the sentence ("1 of 2 steps", "in 1 of 1 schedule"). */
export function noun(n: number, word: string, words = `${word}s`): string {
  return n === 1 ? word : words;
}
