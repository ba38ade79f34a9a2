import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type UsersService, usersService } from './users.service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    users: UsersService;
  }
}

export interface UsersOptions {
  /** SWITCHYARD_ADMIN_PASSWORD: the first admin's password on an empty database */
  adminPassword?: string;
  /** where a generated first password is shown, once (stderr by default; never the log) */
  announce?: (text: string) => void;
}

export default fp<UsersOptions>(
  async function usersPlugin(app: FastifyInstance, options) {
    const service = usersService(app.db, app.clock);
    app.decorate('users', service);
    const created = await service.bootstrapAdmin(options.adminPassword);
    if (created) {
      app.log.info({ user: created.name, generated: created.generated }, 'first admin created');
      if (created.generated) {
        const announce = options.announce ?? ((text: string) => process.stderr.write(text));
        announce(
          `\n  Switchyard created the first admin.\n  user: ${created.name}\n  password: ${created.password}\n  It is shown only this once: log in and change it, or set SWITCHYARD_ADMIN_PASSWORD on a fresh database.\n\n`,
        );
      }
    }
  },
  { name: 'users', dependencies: ['database', 'clock'] },
);
