/** Las frases en español de un almacén de datos que no se puede escribir, con las claves de storage.en.ts. */
import type { storageEn } from './storage.en.ts';

export const storageEs = {
  'cli.storage.unwritable':
    'no se puede escribir en {path} ({reason}): la base de datos SQLite necesita poder escribir su archivo y su directorio (guarda a su lado un archivo -wal y otro -shm). Haz que este usuario pueda escribir en DATA_DIR y libera espacio, o pon DATABASE_URL en otro sitio, y vuelve a arrancar',
  'detail.storage_unwritable': 'El servidor no puede guardar cambios ahora mismo (su almacenamiento está lleno o es de solo lectura). No se ha cambiado nada; vuelve a intentarlo dentro de {wait}.',
} satisfies Record<keyof typeof storageEn, string>;
