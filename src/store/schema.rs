//! Diesel table definitions, matching `migrations/{sqlite,postgres}` (the same SQL on both).

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        brands -> Text,
        created_at -> Timestamp,
        disabled -> Bool,
        must_change_password -> Bool,
        session_version -> Integer,
    }
}

diesel::table! {
    ended_sessions (id) {
        id -> Text,
        user_id -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    brands (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        default_locale -> Text,
        locales -> Text,
        policy -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        preview_url -> Nullable<Text>,
    }
}

diesel::table! {
    content_types (id) {
        id -> Text,
        brand_id -> Text,
        name -> Text,
        fields -> Text,
        created_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
        version -> Integer,
        renames -> Text,
    }
}

diesel::table! {
    entries (id) {
        id -> Text,
        brand_id -> Text,
        entry_key -> Text,
        content_type_id -> Text,
        description -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    variants (id) {
        id -> Text,
        entry_id -> Text,
        status -> Text,
        version -> Integer,
        current_revision -> Text,
        published_revision -> Nullable<Text>,
        review_status -> Nullable<Text>,
        review_note -> Nullable<Text>,
        reviewer -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    variant_revisions (hash) {
        hash -> Text,
        variant_id -> Text,
        seq -> Integer,
        parent -> Nullable<Text>,
        name -> Text,
        fields -> Text,
        tags -> Text,
        rule -> Nullable<Text>,
        devices -> Text,
        locale -> Nullable<Text>,
        priority -> Integer,
        starts_at -> Nullable<Timestamp>,
        ends_at -> Nullable<Timestamp>,
        quality -> Text,
        author -> Text,
        status -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    delivery_keys (id) {
        id -> Text,
        brand_id -> Text,
        name -> Text,
        token_hash -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        allowed_origins -> Nullable<Text>,
        rate_limit -> Nullable<Integer>,
        last_used_at -> Nullable<Timestamp>,
        preview -> Bool,
    }
}

diesel::table! {
    audit_log (seq) {
        seq -> BigInt,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        target -> Text,
        brand -> Nullable<Text>,
        revision_before -> Nullable<Text>,
        revision_after -> Nullable<Text>,
        note -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    assets (brand_id, id) {
        id -> Text,
        brand_id -> Text,
        width -> Integer,
        height -> Integer,
        format -> Text,
        bytes -> BigInt,
        alt -> Nullable<Text>,
        focal_x -> Nullable<Double>,
        focal_y -> Nullable<Double>,
        dominant_color -> Text,
        placeholder -> Text,
        uploaded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audiences (id) {
        id -> Text,
        brand_id -> Text,
        name -> Text,
        rule -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(assets -> brands (brand_id));
diesel::joinable!(content_types -> brands (brand_id));
diesel::joinable!(entries -> brands (brand_id));
diesel::joinable!(entries -> content_types (content_type_id));
diesel::joinable!(variants -> entries (entry_id));
diesel::joinable!(delivery_keys -> brands (brand_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    brands,
    content_types,
    entries,
    variants,
    variant_revisions,
    delivery_keys,
    audit_log,
    assets,
    audiences,
);

diesel::table! {
    webhooks (id) {
        id -> Text,
        brand_id -> Text,
        url -> Text,
        events -> Text,
        secret -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        active -> Bool,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        event -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        next_attempt_at -> Timestamp,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
    }
}

diesel::joinable!(webhooks -> brands (brand_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::allow_tables_to_appear_in_same_query!(webhooks, webhook_deliveries, brands);

diesel::table! {
    usage_served (id) {
        id -> BigInt,
        brand -> Text,
        entry_id -> Text,
        entry_key -> Text,
        variant_id -> Text,
        variant_name -> Text,
        revision -> Text,
        device -> Text,
        locale -> Text,
        experiment_id -> Text,
        arm_id -> Text,
    }
}

diesel::table! {
    usage_events (id) {
        id -> Text,
        kind -> Text,
        impression_id -> Text,
        brand -> Text,
        served -> BigInt,
        at -> Timestamp,
        user_key_hash -> Nullable<Text>,
        attributes -> Text,
        value -> Nullable<Double>,
        batch -> Nullable<BigInt>,
    }
}

diesel::table! {
    usage_kept_since (brand) {
        brand -> Text,
        kept_since -> Timestamp,
    }
}

diesel::joinable!(usage_events -> usage_served (served));
diesel::allow_tables_to_appear_in_same_query!(usage_events, usage_served);

diesel::table! {
    changes (id) {
        id -> BigInt,
        kind -> Text,
        subject -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    shared_secrets (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    experiments (id) {
        id -> Text,
        brand_id -> Text,
        entry_id -> Text,
        name -> Text,
        hypothesis -> Nullable<Text>,
        audience -> Nullable<Text>,
        arms -> Text,
        goal -> Text,
        mode -> Text,
        status -> Text,
        min_people_per_arm -> Integer,
        started_at -> Nullable<Timestamp>,
        stopped_at -> Nullable<Timestamp>,
        winner -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}
