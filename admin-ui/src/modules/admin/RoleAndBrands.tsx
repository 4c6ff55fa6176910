import type { Role } from '../../api';
import { useSession } from '../session/SessionContext';
import { ROLES } from './roles';

/** Whether a role works in chosen brands (editors and reviewers) rather than in all of them. */
export function worksPerBrand(role: Role): boolean {
  return role === 'EDITOR' || role === 'REVIEWER';
}

/**
 * The role of a user, and the brands an editor or reviewer works in, as the new-user and
 * edit-user forms both ask for them; `noBrand` says what it means to choose none.
 */
export function RoleAndBrands({ group, role, onRole, chosen, onChosen, noBrand }: {
  /** The radio group's name, unique on the page. */
  group: string;
  role: Role;
  onRole: (role: Role) => void;
  chosen: string[];
  onChosen: (slugs: string[]) => void;
  noBrand: string;
}) {
  const { brands } = useSession();
  return (
    <>
      <fieldset className="field field-wide">
        <legend>Role</legend>
        {ROLES.map((r) => (
          <label key={r.role} className="radio">
            <input type="radio" name={group} value={r.role} checked={role === r.role} onChange={() => onRole(r.role)} />
            <strong>{r.label}</strong> <span className="muted">— {r.help}</span>
          </label>
        ))}
      </fieldset>
      {worksPerBrand(role) && (
        <fieldset className="field field-wide">
          <legend>Brands</legend>
          <div className="checks">
            {brands.map((b) => (
              <label key={b.slug} className="check">
                <input type="checkbox" checked={chosen.includes(b.slug)} onChange={(e) => onChosen(e.target.checked ? [...chosen, b.slug] : chosen.filter((s) => s !== b.slug))} />
                {b.name}
              </label>
            ))}
          </div>
          {chosen.length === 0 && <small className="muted">{noBrand}</small>}
        </fieldset>
      )}
    </>
  );
}
