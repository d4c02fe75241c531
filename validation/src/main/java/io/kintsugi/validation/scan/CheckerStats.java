package io.kintsugi.validation.scan;

/**
 * What a replica's range-hash checker has done since the store opened.
 *
 * @param checked      markers of another replica checked here
 * @param consistent   of those, ranges whose hash matched
 * @param inconsistent of those, ranges whose hash differed
 * @param damaged      ranges that could not be read here because a block is damaged
 * @param notChecked   markers dropped unchecked (the checker was behind, or the store closed)
 * @param own          markers this store wrote itself as primary (nothing to compare)
 * @param queued       markers waiting to be checked
 */
public record CheckerStats(long checked, long consistent, long inconsistent, long damaged, long notChecked, long own,
                           int queued) {
}
