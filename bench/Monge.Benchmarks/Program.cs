using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "lowrank-scale")
{
    LowRankScale.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "softmin-ab")
{
    // softmin-ab [n] [d] [reps]: interleaved old/new kernel loop, float then double.
    var n = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 8192;
    var d = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
    var reps = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 20;
    Monge.Benchmarks.Geometry.SoftMinProblem<float>.RunAb(n, d, reps);
    Monge.Benchmarks.Geometry.SoftMinProblem<double>.RunAb(n, d, reps);
    return;
}

if (args.Length > 0 && args[0] == "sinkhorn-init")
{
    SinkhornInitializerIterations.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "sinkhorn-kernel")
{
    SinkhornKernelRun.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "sinkhorn-trace")
{
    SinkhornTraceRun.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "sinkhorn-warm")
{
    SinkhornWarmRun.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "sinkhorn-div")
{
    SinkhornDivergenceRun.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "frlc-units")
{
    FrlcUnits.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "frlc-anderson")
{
    FrlcAnderson.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "lowrank-units")
{
    LowRankUnits.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "gw-lowrank")
{
    GromovLowRankRun.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "gw-align-trace")
{
    GromovLowRankRun.AlignTrace(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "gw-slices")
{
    GromovLowRankRun.WriteSlices(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "maps-error")
{
    MapsRun.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "progot-gauss")
{
    MapsRun.ProgOTGaussian(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "maps-sparse")
{
    MapsRun.Sparse(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "lowrank-demo")
{
    LowRankDemo.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "softsort")
{
    Monge.Benchmarks.SoftSortBenchmarks.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "seeding-ab")
{
    // seeding-ab [reps] [points]: the co-clustering's k-means++ and Lloyd start on a level-2-like block, by process CPU.
    Monge.Benchmarks.Numerics.SeedingRun.Run(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 65536);
    return;
}

if (args.Length > 0 && args[0] == "cocluster-ab")
{
    // cocluster-ab [reps]: the co-clustering row kernels, old and new gradient row side by side, by process CPU.
    Monge.Benchmarks.Numerics.CoClusteringKernelBenchmarks.RunAb(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 30);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
