using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CanvasSync.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "canvas_instances",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    base_url = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    client_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    encrypted_client_secret = table.Column<string>(type: "TEXT", nullable: false),
                    redirect_uri = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_canvas_instances", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    friendly_name = table.Column<string>(type: "TEXT", nullable: true),
                    xml = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    is_admin = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_users", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    prefix = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    revoked_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_keys", x => x.id);
                    table.ForeignKey(
                        name: "FK_api_keys_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "calendar_feeds",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    token_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    encrypted_token = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_calendar_feeds", x => x.id);
                    table.ForeignKey(
                        name: "FK_calendar_feeds_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "canvas_connections",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    base_url = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    canvas_user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    canvas_user_name = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    encrypted_token = table.Column<string>(type: "TEXT", nullable: true),
                    instance_id = table.Column<long>(type: "INTEGER", nullable: true),
                    encrypted_refresh_token = table.Column<string>(type: "TEXT", nullable: true),
                    refresh_lease_owner = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    refresh_lease_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    token_stored_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    token_expires_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_full_sync_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_delta_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_slow_lane_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    graphql_refused_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_error_code = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    change_version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_canvas_connections", x => x.id);
                    table.ForeignKey(
                        name: "FK_canvas_connections_canvas_instances_instance_id",
                        column: x => x.instance_id,
                        principalTable: "canvas_instances",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_canvas_connections_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "oauth_states",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    state_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    user_id = table.Column<long>(type: "INTEGER", nullable: true),
                    instance_id = table.Column<long>(type: "INTEGER", nullable: false),
                    encrypted_verifier = table.Column<string>(type: "TEXT", nullable: false),
                    redirect_uri = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    browser_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    expires_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    used_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_oauth_states", x => x.id);
                    table.ForeignKey(
                        name: "FK_oauth_states_canvas_instances_instance_id",
                        column: x => x.instance_id,
                        principalTable: "canvas_instances",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_oauth_states_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "assignment_groups",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    course_canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    group_weight = table.Column<double>(type: "REAL", nullable: true),
                    connection_id = table.Column<long>(type: "INTEGER", nullable: false),
                    canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    raw_json = table.Column<string>(type: "TEXT", nullable: false),
                    content_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    first_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_version = table.Column<long>(type: "INTEGER", nullable: false),
                    change_version = table.Column<long>(type: "INTEGER", nullable: false),
                    changed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_assignment_groups", x => x.id);
                    table.ForeignKey(
                        name: "FK_assignment_groups_canvas_connections_connection_id",
                        column: x => x.connection_id,
                        principalTable: "canvas_connections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "assignments",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    course_canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    assignment_group_canvas_id = table.Column<long>(type: "INTEGER", nullable: true),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    due_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    unlock_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    lock_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    points_possible = table.Column<double>(type: "REAL", nullable: true),
                    grading_type = table.Column<string>(type: "TEXT", nullable: true),
                    submission_types = table.Column<string>(type: "TEXT", nullable: false),
                    published = table.Column<bool>(type: "INTEGER", nullable: false),
                    has_overrides = table.Column<bool>(type: "INTEGER", nullable: false),
                    muted = table.Column<bool>(type: "INTEGER", nullable: false),
                    quiz_id = table.Column<long>(type: "INTEGER", nullable: true),
                    discussion_topic_id = table.Column<long>(type: "INTEGER", nullable: true),
                    canvas_updated_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    description_html = table.Column<string>(type: "TEXT", nullable: true),
                    description_text = table.Column<string>(type: "TEXT", nullable: true),
                    connection_id = table.Column<long>(type: "INTEGER", nullable: false),
                    canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    raw_json = table.Column<string>(type: "TEXT", nullable: false),
                    content_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    first_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_version = table.Column<long>(type: "INTEGER", nullable: false),
                    change_version = table.Column<long>(type: "INTEGER", nullable: false),
                    changed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_assignments", x => x.id);
                    table.ForeignKey(
                        name: "FK_assignments_canvas_connections_connection_id",
                        column: x => x.connection_id,
                        principalTable: "canvas_connections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "canvas_people",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    sortable_name = table.Column<string>(type: "TEXT", nullable: true),
                    short_name = table.Column<string>(type: "TEXT", nullable: true),
                    connection_id = table.Column<long>(type: "INTEGER", nullable: false),
                    canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    raw_json = table.Column<string>(type: "TEXT", nullable: false),
                    content_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    first_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_version = table.Column<long>(type: "INTEGER", nullable: false),
                    change_version = table.Column<long>(type: "INTEGER", nullable: false),
                    changed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_canvas_people", x => x.id);
                    table.ForeignKey(
                        name: "FK_canvas_people_canvas_connections_connection_id",
                        column: x => x.connection_id,
                        principalTable: "canvas_connections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "courses",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", nullable: true),
                    course_code = table.Column<string>(type: "TEXT", nullable: true),
                    workflow_state = table.Column<string>(type: "TEXT", nullable: true),
                    term_canvas_id = table.Column<long>(type: "INTEGER", nullable: true),
                    start_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    end_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    time_zone = table.Column<string>(type: "TEXT", nullable: true),
                    access_restricted_by_date = table.Column<bool>(type: "INTEGER", nullable: false),
                    connection_id = table.Column<long>(type: "INTEGER", nullable: false),
                    canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    raw_json = table.Column<string>(type: "TEXT", nullable: false),
                    content_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    first_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_version = table.Column<long>(type: "INTEGER", nullable: false),
                    change_version = table.Column<long>(type: "INTEGER", nullable: false),
                    changed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_courses", x => x.id);
                    table.ForeignKey(
                        name: "FK_courses_canvas_connections_connection_id",
                        column: x => x.connection_id,
                        principalTable: "canvas_connections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "enrollments",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    course_canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    user_canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    section_canvas_id = table.Column<long>(type: "INTEGER", nullable: true),
                    type = table.Column<string>(type: "TEXT", nullable: false),
                    enrollment_state = table.Column<string>(type: "TEXT", nullable: false),
                    role = table.Column<string>(type: "TEXT", nullable: true),
                    current_score = table.Column<double>(type: "REAL", nullable: true),
                    final_score = table.Column<double>(type: "REAL", nullable: true),
                    current_grade = table.Column<string>(type: "TEXT", nullable: true),
                    final_grade = table.Column<string>(type: "TEXT", nullable: true),
                    connection_id = table.Column<long>(type: "INTEGER", nullable: false),
                    canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    raw_json = table.Column<string>(type: "TEXT", nullable: false),
                    content_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    first_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_version = table.Column<long>(type: "INTEGER", nullable: false),
                    change_version = table.Column<long>(type: "INTEGER", nullable: false),
                    changed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_enrollments", x => x.id);
                    table.ForeignKey(
                        name: "FK_enrollments_canvas_connections_connection_id",
                        column: x => x.connection_id,
                        principalTable: "canvas_connections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "group_categories",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    course_canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    self_signup = table.Column<string>(type: "TEXT", nullable: true),
                    group_limit = table.Column<int>(type: "INTEGER", nullable: true),
                    connection_id = table.Column<long>(type: "INTEGER", nullable: false),
                    canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    raw_json = table.Column<string>(type: "TEXT", nullable: false),
                    content_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    first_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_version = table.Column<long>(type: "INTEGER", nullable: false),
                    change_version = table.Column<long>(type: "INTEGER", nullable: false),
                    changed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_group_categories", x => x.id);
                    table.ForeignKey(
                        name: "FK_group_categories_canvas_connections_connection_id",
                        column: x => x.connection_id,
                        principalTable: "canvas_connections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "group_memberships",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    group_canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    user_canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    workflow_state = table.Column<string>(type: "TEXT", nullable: false),
                    moderator = table.Column<bool>(type: "INTEGER", nullable: false),
                    connection_id = table.Column<long>(type: "INTEGER", nullable: false),
                    canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    raw_json = table.Column<string>(type: "TEXT", nullable: false),
                    content_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    first_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_version = table.Column<long>(type: "INTEGER", nullable: false),
                    change_version = table.Column<long>(type: "INTEGER", nullable: false),
                    changed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_group_memberships", x => x.id);
                    table.ForeignKey(
                        name: "FK_group_memberships_canvas_connections_connection_id",
                        column: x => x.connection_id,
                        principalTable: "canvas_connections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "groups",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    course_canvas_id = table.Column<long>(type: "INTEGER", nullable: true),
                    group_category_canvas_id = table.Column<long>(type: "INTEGER", nullable: true),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    members_count = table.Column<int>(type: "INTEGER", nullable: false),
                    connection_id = table.Column<long>(type: "INTEGER", nullable: false),
                    canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    raw_json = table.Column<string>(type: "TEXT", nullable: false),
                    content_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    first_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_version = table.Column<long>(type: "INTEGER", nullable: false),
                    change_version = table.Column<long>(type: "INTEGER", nullable: false),
                    changed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_groups", x => x.id);
                    table.ForeignKey(
                        name: "FK_groups_canvas_connections_connection_id",
                        column: x => x.connection_id,
                        principalTable: "canvas_connections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "planner_items",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    plannable_type = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    course_canvas_id = table.Column<long>(type: "INTEGER", nullable: true),
                    assignment_canvas_id = table.Column<long>(type: "INTEGER", nullable: true),
                    title = table.Column<string>(type: "TEXT", nullable: true),
                    plannable_date = table.Column<DateTime>(type: "TEXT", nullable: true),
                    connection_id = table.Column<long>(type: "INTEGER", nullable: false),
                    canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    raw_json = table.Column<string>(type: "TEXT", nullable: false),
                    content_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    first_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_version = table.Column<long>(type: "INTEGER", nullable: false),
                    change_version = table.Column<long>(type: "INTEGER", nullable: false),
                    changed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_planner_items", x => x.id);
                    table.ForeignKey(
                        name: "FK_planner_items_canvas_connections_connection_id",
                        column: x => x.connection_id,
                        principalTable: "canvas_connections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sent_alerts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    connection_id = table.Column<long>(type: "INTEGER", nullable: false),
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    sent_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sent_alerts", x => x.id);
                    table.ForeignKey(
                        name: "FK_sent_alerts_canvas_connections_connection_id",
                        column: x => x.connection_id,
                        principalTable: "canvas_connections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "submissions",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    course_canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    assignment_canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    user_canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    workflow_state = table.Column<string>(type: "TEXT", nullable: false),
                    score = table.Column<double>(type: "REAL", nullable: true),
                    grade = table.Column<string>(type: "TEXT", nullable: true),
                    submitted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    graded_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    posted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    excused = table.Column<bool>(type: "INTEGER", nullable: false),
                    late = table.Column<bool>(type: "INTEGER", nullable: false),
                    missing = table.Column<bool>(type: "INTEGER", nullable: false),
                    connection_id = table.Column<long>(type: "INTEGER", nullable: false),
                    canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    raw_json = table.Column<string>(type: "TEXT", nullable: false),
                    content_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    first_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_version = table.Column<long>(type: "INTEGER", nullable: false),
                    change_version = table.Column<long>(type: "INTEGER", nullable: false),
                    changed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_submissions", x => x.id);
                    table.ForeignKey(
                        name: "FK_submissions_canvas_connections_connection_id",
                        column: x => x.connection_id,
                        principalTable: "canvas_connections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sync_runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    connection_id = table.Column<long>(type: "INTEGER", nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    slow_lane = table.Column<bool>(type: "INTEGER", nullable: false),
                    then_reconcile = table.Column<bool>(type: "INTEGER", nullable: false),
                    delta_source = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    scope_json = table.Column<string>(type: "TEXT", nullable: false),
                    dry_run = table.Column<bool>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    resumed = table.Column<bool>(type: "INTEGER", nullable: false),
                    queued_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    finished_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    heartbeat_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    lease_owner = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    node = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    attempt = table.Column<int>(type: "INTEGER", nullable: false),
                    cancel_requested = table.Column<bool>(type: "INTEGER", nullable: false),
                    phase = table.Column<string>(type: "TEXT", nullable: true),
                    percent = table.Column<double>(type: "REAL", nullable: false),
                    items_done = table.Column<long>(type: "INTEGER", nullable: false),
                    items_estimated = table.Column<long>(type: "INTEGER", nullable: true),
                    requests = table.Column<long>(type: "INTEGER", nullable: false),
                    pages = table.Column<long>(type: "INTEGER", nullable: false),
                    items = table.Column<long>(type: "INTEGER", nullable: false),
                    bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    request_cost = table.Column<double>(type: "REAL", nullable: false),
                    throttled = table.Column<long>(type: "INTEGER", nullable: false),
                    retries = table.Column<long>(type: "INTEGER", nullable: false),
                    error_code = table.Column<string>(type: "TEXT", nullable: true),
                    error_message = table.Column<string>(type: "TEXT", nullable: true),
                    active_seconds = table.Column<double>(type: "REAL", nullable: false),
                    phase_seconds_json = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sync_runs", x => x.id);
                    table.ForeignKey(
                        name: "FK_sync_runs_canvas_connections_connection_id",
                        column: x => x.connection_id,
                        principalTable: "canvas_connections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "tasks",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    connection_id = table.Column<long>(type: "INTEGER", nullable: false),
                    title = table.Column<string>(type: "TEXT", nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: true),
                    due_date = table.Column<DateTime>(type: "TEXT", nullable: true),
                    estimated_minutes = table.Column<int>(type: "INTEGER", nullable: true),
                    subject = table.Column<string>(type: "TEXT", nullable: true),
                    type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    completed = table.Column<bool>(type: "INTEGER", nullable: false),
                    external_source = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    external_id = table.Column<long>(type: "INTEGER", nullable: false),
                    external_course_id = table.Column<long>(type: "INTEGER", nullable: false),
                    external_updated_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    user_completed = table.Column<bool>(type: "INTEGER", nullable: true),
                    user_estimated_minutes = table.Column<int>(type: "INTEGER", nullable: true),
                    notes = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_version = table.Column<long>(type: "INTEGER", nullable: false),
                    change_version = table.Column<long>(type: "INTEGER", nullable: false),
                    changed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tasks", x => x.id);
                    table.ForeignKey(
                        name: "FK_tasks_canvas_connections_connection_id",
                        column: x => x.connection_id,
                        principalTable: "canvas_connections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "teams",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    connection_id = table.Column<long>(type: "INTEGER", nullable: false),
                    group_canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    course_canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    category_name = table.Column<string>(type: "TEXT", nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_teams", x => x.id);
                    table.ForeignKey(
                        name: "FK_teams_canvas_connections_connection_id",
                        column: x => x.connection_id,
                        principalTable: "canvas_connections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "terms",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    start_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    end_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    connection_id = table.Column<long>(type: "INTEGER", nullable: false),
                    canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    raw_json = table.Column<string>(type: "TEXT", nullable: false),
                    content_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    first_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_version = table.Column<long>(type: "INTEGER", nullable: false),
                    change_version = table.Column<long>(type: "INTEGER", nullable: false),
                    changed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_terms", x => x.id);
                    table.ForeignKey(
                        name: "FK_terms_canvas_connections_connection_id",
                        column: x => x.connection_id,
                        principalTable: "canvas_connections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sync_checkpoints",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    course_canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    collection = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    next_page_url = table.Column<string>(type: "TEXT", nullable: true),
                    done = table.Column<bool>(type: "INTEGER", nullable: false),
                    items_fetched = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sync_checkpoints", x => x.id);
                    table.ForeignKey(
                        name: "FK_sync_checkpoints_sync_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "sync_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sync_run_counts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    entity_type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created = table.Column<long>(type: "INTEGER", nullable: false),
                    updated = table.Column<long>(type: "INTEGER", nullable: false),
                    deleted = table.Column<long>(type: "INTEGER", nullable: false),
                    unchanged = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sync_run_counts", x => x.id);
                    table.ForeignKey(
                        name: "FK_sync_run_counts_sync_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "sync_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sync_run_drift",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    entity_type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    field = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    row_count = table.Column<long>(type: "INTEGER", nullable: false),
                    example_canvas_id = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sync_run_drift", x => x.id);
                    table.ForeignKey(
                        name: "FK_sync_run_drift_sync_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "sync_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "team_members",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    team_id = table.Column<long>(type: "INTEGER", nullable: false),
                    user_canvas_id = table.Column<long>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    membership_state = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_team_members", x => x.id);
                    table.ForeignKey(
                        name: "FK_team_members_teams_team_id",
                        column: x => x.team_id,
                        principalTable: "teams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_api_keys_hash",
                table: "api_keys",
                column: "hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_api_keys_user_id",
                table: "api_keys",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "IX_assignment_groups_connection_id_canvas_id",
                table: "assignment_groups",
                columns: new[] { "connection_id", "canvas_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_assignment_groups_connection_id_change_version_id",
                table: "assignment_groups",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_assignment_groups_connection_id_course_canvas_id",
                table: "assignment_groups",
                columns: new[] { "connection_id", "course_canvas_id" });

            migrationBuilder.CreateIndex(
                name: "IX_assignments_connection_id_canvas_id",
                table: "assignments",
                columns: new[] { "connection_id", "canvas_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_assignments_connection_id_change_version_id",
                table: "assignments",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_assignments_connection_id_course_canvas_id",
                table: "assignments",
                columns: new[] { "connection_id", "course_canvas_id" });

            migrationBuilder.CreateIndex(
                name: "IX_assignments_connection_id_due_at_canvas_id",
                table: "assignments",
                columns: new[] { "connection_id", "due_at", "canvas_id" });

            migrationBuilder.CreateIndex(
                name: "IX_calendar_feeds_token_hash",
                table: "calendar_feeds",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_calendar_feeds_user_id",
                table: "calendar_feeds",
                column: "user_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_canvas_connections_instance_id",
                table: "canvas_connections",
                column: "instance_id");

            migrationBuilder.CreateIndex(
                name: "IX_canvas_connections_status",
                table: "canvas_connections",
                column: "status");

            migrationBuilder.CreateIndex(
                name: "IX_canvas_connections_user_id_base_url",
                table: "canvas_connections",
                columns: new[] { "user_id", "base_url" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_canvas_instances_base_url",
                table: "canvas_instances",
                column: "base_url",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_canvas_people_connection_id_canvas_id",
                table: "canvas_people",
                columns: new[] { "connection_id", "canvas_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_canvas_people_connection_id_change_version_id",
                table: "canvas_people",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_courses_connection_id_canvas_id",
                table: "courses",
                columns: new[] { "connection_id", "canvas_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_courses_connection_id_change_version_id",
                table: "courses",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_enrollments_connection_id_canvas_id",
                table: "enrollments",
                columns: new[] { "connection_id", "canvas_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_enrollments_connection_id_change_version_id",
                table: "enrollments",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_enrollments_connection_id_course_canvas_id",
                table: "enrollments",
                columns: new[] { "connection_id", "course_canvas_id" });

            migrationBuilder.CreateIndex(
                name: "IX_group_categories_connection_id_canvas_id",
                table: "group_categories",
                columns: new[] { "connection_id", "canvas_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_group_categories_connection_id_change_version_id",
                table: "group_categories",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_group_categories_connection_id_course_canvas_id",
                table: "group_categories",
                columns: new[] { "connection_id", "course_canvas_id" });

            migrationBuilder.CreateIndex(
                name: "IX_group_memberships_connection_id_canvas_id",
                table: "group_memberships",
                columns: new[] { "connection_id", "canvas_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_group_memberships_connection_id_change_version_id",
                table: "group_memberships",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_group_memberships_connection_id_group_canvas_id",
                table: "group_memberships",
                columns: new[] { "connection_id", "group_canvas_id" });

            migrationBuilder.CreateIndex(
                name: "IX_groups_connection_id_canvas_id",
                table: "groups",
                columns: new[] { "connection_id", "canvas_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_groups_connection_id_change_version_id",
                table: "groups",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_groups_connection_id_course_canvas_id",
                table: "groups",
                columns: new[] { "connection_id", "course_canvas_id" });

            migrationBuilder.CreateIndex(
                name: "IX_oauth_states_expires_at",
                table: "oauth_states",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "IX_oauth_states_instance_id",
                table: "oauth_states",
                column: "instance_id");

            migrationBuilder.CreateIndex(
                name: "IX_oauth_states_state_hash",
                table: "oauth_states",
                column: "state_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_oauth_states_user_id",
                table: "oauth_states",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "IX_planner_items_connection_id_change_version_id",
                table: "planner_items",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_planner_items_connection_id_plannable_type_canvas_id",
                table: "planner_items",
                columns: new[] { "connection_id", "plannable_type", "canvas_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_sent_alerts_connection_id_kind_sent_at",
                table: "sent_alerts",
                columns: new[] { "connection_id", "kind", "sent_at" });

            migrationBuilder.CreateIndex(
                name: "IX_sent_alerts_sent_at",
                table: "sent_alerts",
                column: "sent_at");

            migrationBuilder.CreateIndex(
                name: "IX_submissions_connection_id_assignment_canvas_id",
                table: "submissions",
                columns: new[] { "connection_id", "assignment_canvas_id" });

            migrationBuilder.CreateIndex(
                name: "IX_submissions_connection_id_canvas_id",
                table: "submissions",
                columns: new[] { "connection_id", "canvas_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_submissions_connection_id_change_version_id",
                table: "submissions",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_submissions_connection_id_course_canvas_id",
                table: "submissions",
                columns: new[] { "connection_id", "course_canvas_id" });

            migrationBuilder.CreateIndex(
                name: "IX_submissions_connection_id_user_canvas_id_assignment_canvas_id",
                table: "submissions",
                columns: new[] { "connection_id", "user_canvas_id", "assignment_canvas_id" });

            migrationBuilder.CreateIndex(
                name: "IX_sync_checkpoints_run_id_course_canvas_id_collection",
                table: "sync_checkpoints",
                columns: new[] { "run_id", "course_canvas_id", "collection" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_sync_run_counts_run_id_entity_type",
                table: "sync_run_counts",
                columns: new[] { "run_id", "entity_type" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_sync_run_drift_run_id_entity_type_field",
                table: "sync_run_drift",
                columns: new[] { "run_id", "entity_type", "field" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_sync_runs_connection_id_status",
                table: "sync_runs",
                columns: new[] { "connection_id", "status" });

            migrationBuilder.CreateIndex(
                name: "IX_sync_runs_finished_at",
                table: "sync_runs",
                column: "finished_at");

            migrationBuilder.CreateIndex(
                name: "IX_sync_runs_one_unfinished_per_connection",
                table: "sync_runs",
                column: "connection_id",
                unique: true,
                filter: "status IN ('queued', 'running')");

            migrationBuilder.CreateIndex(
                name: "IX_sync_runs_queued_at",
                table: "sync_runs",
                column: "queued_at");

            migrationBuilder.CreateIndex(
                name: "IX_tasks_connection_id_change_version_id",
                table: "tasks",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_tasks_connection_id_due_date_id",
                table: "tasks",
                columns: new[] { "connection_id", "due_date", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_tasks_connection_id_external_source_external_id",
                table: "tasks",
                columns: new[] { "connection_id", "external_source", "external_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_team_members_team_id_user_canvas_id",
                table: "team_members",
                columns: new[] { "team_id", "user_canvas_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_teams_connection_id_group_canvas_id",
                table: "teams",
                columns: new[] { "connection_id", "group_canvas_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_terms_connection_id_canvas_id",
                table: "terms",
                columns: new[] { "connection_id", "canvas_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_terms_connection_id_change_version_id",
                table: "terms",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_users_name",
                table: "users",
                column: "name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "assignment_groups");

            migrationBuilder.DropTable(
                name: "assignments");

            migrationBuilder.DropTable(
                name: "calendar_feeds");

            migrationBuilder.DropTable(
                name: "canvas_people");

            migrationBuilder.DropTable(
                name: "courses");

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "enrollments");

            migrationBuilder.DropTable(
                name: "group_categories");

            migrationBuilder.DropTable(
                name: "group_memberships");

            migrationBuilder.DropTable(
                name: "groups");

            migrationBuilder.DropTable(
                name: "oauth_states");

            migrationBuilder.DropTable(
                name: "planner_items");

            migrationBuilder.DropTable(
                name: "sent_alerts");

            migrationBuilder.DropTable(
                name: "submissions");

            migrationBuilder.DropTable(
                name: "sync_checkpoints");

            migrationBuilder.DropTable(
                name: "sync_run_counts");

            migrationBuilder.DropTable(
                name: "sync_run_drift");

            migrationBuilder.DropTable(
                name: "tasks");

            migrationBuilder.DropTable(
                name: "team_members");

            migrationBuilder.DropTable(
                name: "terms");

            migrationBuilder.DropTable(
                name: "sync_runs");

            migrationBuilder.DropTable(
                name: "teams");

            migrationBuilder.DropTable(
                name: "canvas_connections");

            migrationBuilder.DropTable(
                name: "canvas_instances");

            migrationBuilder.DropTable(
                name: "users");
        }
    }
}
