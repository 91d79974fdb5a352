using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "lowrank-scale")
{
    LowRankScale.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "lowrank-demo")
{
    LowRankDemo.Run(args[1..]);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
