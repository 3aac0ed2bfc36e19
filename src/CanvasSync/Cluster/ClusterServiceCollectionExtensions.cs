using Microsoft.Extensions.DependencyInjection;

namespace CanvasSync.Cluster;

internal static class ClusterServiceCollectionExtensions
{
    /// <summary>Sync progress across nodes (PostgreSQL); a node is ready only while it hears the others.</summary>
    public static IServiceCollection AddClusterSignals(this IServiceCollection services)
    {
        services.AddSingleton<ClusterSignals>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterSignals>());
        services.AddHealthChecks().AddCheck<ClusterSignals>("cluster_signals", tags: ["ready"]);
        return services;
    }
}
