using CanvasSync.Features.Accounts;
using CanvasSync.Features.Assignments;
using CanvasSync.Features.Calendar;
using CanvasSync.Features.Connections;
using CanvasSync.Features.Courses;
using CanvasSync.Features.Enrollments;
using CanvasSync.Features.Groups;
using CanvasSync.Features.Monitoring.Alerts;
using CanvasSync.Features.OAuth;
using CanvasSync.Features.Planner;
using CanvasSync.Features.Submissions;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Features.Tasks;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace CanvasSync.Data;

/// <summary>
/// The one model for both databases. Each provider has a thin subclass (<see cref="SqliteCanvasSyncDbContext"/>,
/// <see cref="PostgresCanvasSyncDbContext"/>) that owns its migrations; code depends on this base type.
/// </summary>
internal abstract class CanvasSyncDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<User> Users => Set<User>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    /// <summary>The Data Protection key ring, shared by every node; each key's XML is encrypted with the master key.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<CanvasConnection> Connections => Set<CanvasConnection>();
    public DbSet<CanvasInstance> CanvasInstances => Set<CanvasInstance>();
    public DbSet<OAuthState> OAuthStates => Set<OAuthState>();
    public DbSet<Term> Terms => Set<Term>();
    public DbSet<Course> Courses => Set<Course>();
    public DbSet<AssignmentGroup> AssignmentGroups => Set<AssignmentGroup>();
    public DbSet<Assignment> Assignments => Set<Assignment>();
    public DbSet<Submission> Submissions => Set<Submission>();
    public DbSet<Enrollment> Enrollments => Set<Enrollment>();
    public DbSet<CanvasPerson> CanvasPeople => Set<CanvasPerson>();
    public DbSet<GroupCategory> GroupCategories => Set<GroupCategory>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<GroupMembership> GroupMemberships => Set<GroupMembership>();
    public DbSet<PlannerItem> PlannerItems => Set<PlannerItem>();
    public DbSet<PlannerTask> Tasks => Set<PlannerTask>();
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<TeamMember> TeamMembers => Set<TeamMember>();
    public DbSet<SyncRun> SyncRuns => Set<SyncRun>();
    public DbSet<SyncCheckpoint> SyncCheckpoints => Set<SyncCheckpoint>();
    public DbSet<SyncRunCount> SyncRunCounts => Set<SyncRunCount>();
    public DbSet<SyncRunDrift> SyncRunDrift => Set<SyncRunDrift>();
    public DbSet<SentAlert> SentAlerts => Set<SentAlert>();
    public DbSet<CalendarFeed> CalendarFeeds => Set<CalendarFeed>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<ConnectionStatus>().HaveConversion<SnakeCaseEnumConverter<ConnectionStatus>>().HaveMaxLength(32);
        configurationBuilder.Properties<SyncStatus>().HaveConversion<SnakeCaseEnumConverter<SyncStatus>>().HaveMaxLength(32);
        configurationBuilder.Properties<SyncType>().HaveConversion<SnakeCaseEnumConverter<SyncType>>().HaveMaxLength(16);
        configurationBuilder.Properties<TaskType>().HaveConversion<SnakeCaseEnumConverter<TaskType>>().HaveMaxLength(16);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(e =>
        {
            e.ToTable("users");
            e.Property(x => x.Name).HasMaxLength(200);
        });

        modelBuilder.Entity<ApiKey>(e =>
        {
            e.ToTable("api_keys");
            e.Property(x => x.Prefix).HasMaxLength(16);
            e.Property(x => x.Hash).HasMaxLength(64);
            e.HasIndex(x => x.Hash).IsUnique();
            e.HasIndex(x => x.UserId);
            e.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<DataProtectionKey>(e => e.ToTable("data_protection_keys"));
        modelBuilder.Entity<User>().HasIndex(x => x.Name).IsUnique();

        modelBuilder.Entity<CanvasConnection>(e =>
        {
            e.ToTable("canvas_connections");
            e.Property(x => x.BaseUrl).HasMaxLength(2048);
            e.Property(x => x.CanvasUserName).HasMaxLength(500);
            e.Property(x => x.LastErrorCode).HasMaxLength(100);
            e.Property(x => x.GraphQLRefusedUntil).HasColumnName("graphql_refused_until");
            e.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.UserId, x.BaseUrl }).IsUnique();
            e.HasIndex(x => x.Status);
            e.Property(x => x.RefreshLeaseOwner).HasMaxLength(200);
            // A developer key in use cannot be removed from under its connections (they could no longer refresh).
            e.HasOne<CanvasInstance>().WithMany().HasForeignKey(x => x.InstanceId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<CanvasInstance>(e =>
        {
            e.ToTable("canvas_instances");
            e.Property(x => x.BaseUrl).HasMaxLength(2048);
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.ClientId).HasMaxLength(200);
            e.Property(x => x.RedirectUri).HasMaxLength(2048);
            e.HasIndex(x => x.BaseUrl).IsUnique();
        });

        modelBuilder.Entity<OAuthState>(e =>
        {
            e.ToTable("oauth_states");
            e.Property(x => x.StateHash).HasMaxLength(64);
            e.Property(x => x.BrowserHash).HasMaxLength(64);
            e.Property(x => x.RedirectUri).HasMaxLength(2048);
            e.HasIndex(x => x.StateHash).IsUnique();
            e.HasIndex(x => x.ExpiresAt);
            e.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<CanvasInstance>().WithMany().HasForeignKey(x => x.InstanceId).OnDelete(DeleteBehavior.Cascade);
        });

        Mirrored<Term>(modelBuilder, "terms");
        Mirrored<Course>(modelBuilder, "courses");
        Mirrored<AssignmentGroup>(modelBuilder, "assignment_groups", e => e.HasIndex(x => new { x.ConnectionId, x.CourseCanvasId }));
        Mirrored<Assignment>(modelBuilder, "assignments", e =>
        {
            e.HasIndex(x => new { x.ConnectionId, x.CourseCanvasId });
            e.HasIndex(x => new { x.ConnectionId, x.DueAt, x.CanvasId }); // the listing's order: a page is an index range
        });
        Mirrored<Submission>(modelBuilder, "submissions", e =>
        {
            e.HasIndex(x => new { x.ConnectionId, x.AssignmentCanvasId });
            // A user's own submissions by assignment: "has the caller done this one" is one seek, a page's worth one range.
            e.HasIndex(x => new { x.ConnectionId, x.UserCanvasId, x.AssignmentCanvasId });
            e.HasIndex(x => new { x.ConnectionId, x.CourseCanvasId });
        });
        Mirrored<Enrollment>(modelBuilder, "enrollments", e => e.HasIndex(x => new { x.ConnectionId, x.CourseCanvasId }));
        Mirrored<CanvasPerson>(modelBuilder, "canvas_people");
        Mirrored<GroupCategory>(modelBuilder, "group_categories", e => e.HasIndex(x => new { x.ConnectionId, x.CourseCanvasId }));
        Mirrored<Group>(modelBuilder, "groups", e => e.HasIndex(x => new { x.ConnectionId, x.CourseCanvasId }));
        Mirrored<GroupMembership>(modelBuilder, "group_memberships", e => e.HasIndex(x => new { x.ConnectionId, x.GroupCanvasId }));
        // Planner items have no id of their own: (type, plannable_id) is the key.
        Mirrored<PlannerItem>(modelBuilder, "planner_items", e => e.Property(x => x.PlannableType).HasMaxLength(50), unique: false);
        modelBuilder.Entity<PlannerItem>().HasIndex(x => new { x.ConnectionId, x.PlannableType, x.CanvasId }).IsUnique();

        modelBuilder.Entity<PlannerTask>(e =>
        {
            e.ToTable("tasks");
            e.HasOne<CanvasConnection>().WithMany().HasForeignKey(x => x.ConnectionId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.ConnectionId, x.ExternalSource, x.ExternalId }).IsUnique();
            e.HasIndex(x => new { x.ConnectionId, x.DueDate, x.Id });
            e.HasIndex(x => new { x.ConnectionId, x.ChangeVersion, x.Id });
            e.Property(x => x.ExternalSource).HasMaxLength(32);
        });

        modelBuilder.Entity<Team>(e =>
        {
            e.ToTable("teams");
            e.HasOne<CanvasConnection>().WithMany().HasForeignKey(x => x.ConnectionId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.ConnectionId, x.GroupCanvasId }).IsUnique();
            e.HasMany(x => x.Members).WithOne().HasForeignKey(m => m.TeamId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<TeamMember>(e =>
        {
            e.ToTable("team_members");
            e.HasIndex(x => new { x.TeamId, x.UserCanvasId }).IsUnique();
        });

        modelBuilder.Entity<SyncRun>(e =>
        {
            e.ToTable("sync_runs");
            e.Property(x => x.LeaseOwner).HasMaxLength(200);
            e.Property(x => x.Node).HasMaxLength(200);
            e.Property(x => x.DeltaSource).HasMaxLength(20);
            e.HasOne<CanvasConnection>().WithMany().HasForeignKey(x => x.ConnectionId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.ConnectionId, x.Status });
            // One unfinished run per connection, enforced by the database: two nodes queueing at the same instant
            // cannot both succeed. Both SQLite and PostgreSQL take this partial index.
            e.HasIndex(x => x.ConnectionId, "IX_sync_runs_one_unfinished_per_connection").IsUnique()
                .HasFilter("status IN ('queued', 'running')");
            e.HasIndex(x => x.QueuedAt);
            e.HasIndex(x => x.FinishedAt); // the metrics' windows and retention
            e.HasMany(x => x.Checkpoints).WithOne().HasForeignKey(c => c.RunId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(x => x.Counts).WithOne().HasForeignKey(c => c.RunId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(x => x.Drift).WithOne().HasForeignKey(c => c.RunId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<SyncCheckpoint>(e =>
        {
            e.ToTable("sync_checkpoints");
            e.Property(x => x.Collection).HasMaxLength(64);
            e.HasIndex(x => new { x.RunId, x.CourseCanvasId, x.Collection }).IsUnique();
        });
        modelBuilder.Entity<SyncRunCount>(e =>
        {
            e.ToTable("sync_run_counts");
            e.Property(x => x.EntityType).HasMaxLength(64);
            e.HasIndex(x => new { x.RunId, x.EntityType }).IsUnique();
        });

        modelBuilder.Entity<SyncRunDrift>(e =>
        {
            e.ToTable("sync_run_drift");
            e.Property(x => x.EntityType).HasMaxLength(64);
            e.Property(x => x.Field).HasMaxLength(128);
            e.HasIndex(x => new { x.RunId, x.EntityType, x.Field }).IsUnique();
        });

        modelBuilder.Entity<SentAlert>(e =>
        {
            e.ToTable("sent_alerts");
            e.Property(x => x.Kind).HasMaxLength(32);
            e.HasOne<CanvasConnection>().WithMany().HasForeignKey(x => x.ConnectionId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.ConnectionId, x.Kind, x.SentAt }); // the cool-down's question
            e.HasIndex(x => x.SentAt); // retention
        });

        // Like api_keys, outside row-level security: a feed is found by its token before anyone is known.
        modelBuilder.Entity<CalendarFeed>(e =>
        {
            e.ToTable("calendar_feeds");
            e.Property(x => x.TokenHash).HasMaxLength(64);
            e.HasIndex(x => x.TokenHash).IsUnique();
            e.HasIndex(x => x.UserId).IsUnique(); // one feed URL per user at a time
            e.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        UseSnakeCaseColumns(modelBuilder);
    }

    /// <summary>A mirrored table: scoped to a connection (deleted with it), unique on (connection, Canvas id).</summary>
    private static void Mirrored<T>(ModelBuilder modelBuilder, string table,
        Action<Microsoft.EntityFrameworkCore.Metadata.Builders.EntityTypeBuilder<T>>? more = null, bool unique = true)
        where T : MirroredEntity
    {
        modelBuilder.Entity<T>(e =>
        {
            e.ToTable(table);
            e.HasOne<CanvasConnection>().WithMany().HasForeignKey(x => x.ConnectionId).OnDelete(DeleteBehavior.Cascade);
            if (unique) e.HasIndex(x => new { x.ConnectionId, x.CanvasId }).IsUnique();
            e.Property(x => x.ContentHash).HasMaxLength(64);
            e.HasIndex(x => new { x.ConnectionId, x.ChangeVersion, x.Id }); // the change feed's order
            more?.Invoke(e);
        });
    }

    /// <summary>snake_case column names, so raw SQL (bulk upserts, COPY) reads the same on both databases.</summary>
    private static void UseSnakeCaseColumns(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            // A name given by hand stays (GraphQLRefusedUntil is graphql_refused_until, not graph_q_l_...).
            foreach (var property in entity.GetProperties().Where(p => p.FindAnnotation(RelationalAnnotationNames.ColumnName) is null))
                property.SetColumnName(SnakeCase.From(property.Name));
        }
    }
}
