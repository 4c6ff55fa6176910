/** Which editor edits which FieldKind. */
import type { ComponentType } from 'react';
import type { FieldKind } from '../api';
import { AssetField } from './AssetField';
import { BooleanField } from './BooleanField';
import { DateTimeField } from './DateTimeField';
import { JsonField } from './JsonField';
import { NumberField } from './NumberField';
import { ReferenceField } from './ReferenceField';
import { RichTextField } from './RichTextField';
import { TextField } from './TextField';
import type { FieldEditorProps } from './types';
import { UrlField } from './UrlField';

export const FIELD_EDITORS: Record<FieldKind, ComponentType<FieldEditorProps>> = {
  TEXT: TextField,
  RICH_TEXT: RichTextField,
  NUMBER: NumberField,
  BOOLEAN: BooleanField,
  ASSET: AssetField,
  URL: UrlField,
  DATETIME: DateTimeField,
  JSON: JsonField,
  REFERENCE: ReferenceField,
};

export const KIND_LABEL: Record<FieldKind, string> = {
  TEXT: 'text',
  RICH_TEXT: 'rich text (Markdown)',
  NUMBER: 'number',
  BOOLEAN: 'yes / no',
  ASSET: 'image',
  URL: 'link',
  DATETIME: 'date and time',
  JSON: 'JSON',
  REFERENCE: 'reference',
};
