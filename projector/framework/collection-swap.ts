import type { Db } from "mongodb";
import type { StoreProfile } from "../mongo/store-profile";
import type { CollectionNames } from "./read-model-writer";

const namespaceExists = 48;

/**
 * Replaces each live collection by its rebuilt one (which ensureIndexes created, so it exists). Where the
 * store's renameCollection takes `dropTarget` (MongoDB), in one step. FerretDB has none: drop, then rename
 * (readers see the gap of one call); when the live projector recreates the collection in between, drop and
 * rename again (the catch-up after the swap replays whatever that projector wrote into it).
 */
export async function swapCollections(
  db: Db,
  rebuilt: CollectionNames,
  live: readonly string[],
  profile: StoreProfile,
): Promise<void> {
  for (const collection of live) {
    if (profile.renameDropsTarget) {
      await db.renameCollection(rebuilt(collection), collection, { dropTarget: true });
      continue;
    }
    for (let attempt = 1; ; attempt++) {
      await db
        .collection(collection)
        .drop()
        .catch(() => undefined);
      try {
        await db.renameCollection(rebuilt(collection), collection);
        break;
      } catch (error) {
        if ((error as { code?: unknown }).code !== namespaceExists || attempt >= 10)
          throw new Error(
            `could not swap ${rebuilt(collection)} in as ${collection} (${(error as Error).message}); ` +
              `the rebuilt documents are still in ${rebuilt(collection)}: rename it by hand, or run the rebuild again`,
            { cause: error },
          );
      }
    }
  }
}
