export { FieldsForm } from './FieldsForm';
export { FIELD_EDITORS, KIND_LABEL } from './registry';
export type { FieldDef, FieldEditorProps } from './types';
