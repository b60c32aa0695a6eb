/**
 * The fixed string pools the Nexmark generator picks from, so that making an event allocates
 * no strings. Pool contents are built once, from a fixed seed, and are the same in every process
 * and thread; a job's seed only chooses which entries appear.
 */
import { SeededRandom } from "../seeded-random.ts";

const FIRST_NAMES = ["Ada", "Bruno", "Chen", "Dalia", "Emil", "Farah", "Goran", "Hana", "Ivo", "Jonas", "Kira", "Lena"];
const LAST_NAMES = ["Adler", "Brandt", "Castro", "Dvorak", "Engel", "Fischer", "Garcia", "Horvat", "Ito", "Keller"];

export const CITIES: readonly string[] = [
  "Portland", "Boise", "Sacramento", "Seattle", "Phoenix", "Cheyenne", "Eugene", "Fresno", "Spokane", "Tucson",
];
export const STATES: readonly string[] = ["AZ", "CA", "ID", "OR", "WA", "WY"];

/** The channels most bids come through, by name, with one landing page each. */
export const HOT_CHANNELS: readonly string[] = ["Google", "Facebook", "Baidu", "Apple"];
export const CHANNEL_COUNT = 10_000;
export const FIRST_CATEGORY = 10;
export const CATEGORY_COUNT = 5;

const POOL_SIZE = 1024;
const LETTERS = "abcdefghijklmnopqrstuvwxyz";
const random = new SeededRandom(0x6e65786d);

function letters(length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += LETTERS[random.nextInt(LETTERS.length)];
  return s;
}

function words(maxLength: number): string {
  let s = letters(3 + random.nextInt(6));
  while (true) {
    const word = letters(2 + random.nextInt(8));
    if (s.length + 1 + word.length > maxLength) return s;
    s += " " + word;
    if (random.nextInt(4) === 0) return s;
  }
}

function digits(length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += String(random.nextInt(10));
  return s;
}

function pool(make: () => string): readonly string[] {
  return Array.from({ length: POOL_SIZE }, make);
}

function pageUrl(): string {
  return `https://www.nexmark.com/${letters(5)}/${letters(5)}/item.htm?query=1`;
}

export const PERSON_NAMES: readonly string[] = FIRST_NAMES.flatMap((first) => LAST_NAMES.map((last) => `${first} ${last}`));
export const EMAILS: readonly string[] = pool(() => `${letters(7)}@${letters(5)}.com`);
export const CREDIT_CARDS: readonly string[] = pool(() => `${digits(4)} ${digits(4)} ${digits(4)} ${digits(4)}`);
export const ITEM_NAMES: readonly string[] = pool(() => words(20));
export const DESCRIPTIONS: readonly string[] = pool(() => words(100));

export const HOT_URLS: readonly string[] = HOT_CHANNELS.map(() => pageUrl());
/** Channel n is named `channel-n`; its url carries `channel_id=n`. */
export const CHANNELS: readonly string[] = Array.from({ length: CHANNEL_COUNT }, (_, n) => `channel-${n}`);
export const CHANNEL_URLS: readonly string[] = CHANNELS.map((_, n) => `${pageUrl()}&channel_id=${n}`);

const paddingSource = letters(4096);
const paddings: string[] = [];

/** Padding strings indexed by their length, from 0 up to `maxLength`. */
export function paddingUpTo(maxLength: number): readonly string[] {
  let source = paddingSource;
  while (source.length < maxLength) source += paddingSource;
  for (let length = paddings.length; length <= maxLength; length++) {
    paddings.push(source.slice(0, length));
  }
  return paddings;
}
