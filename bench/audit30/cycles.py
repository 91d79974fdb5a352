# realmv (stop 25): where a matching differs from the optimal one. Cycles of pi = sigma_H^-1 o sigma_opt (their lengths,
# spatial extent in mean nearest-neighbour spacings, share of the excess), how far each point's HiRef partner lies from its
# optimal one, and the rank of the optimal partner among the targets nearest the HiRef partner (what a candidate graph of
# the k nearest targets of the partner can reach in one pass). Squared Euclidean.
# Usage: cycles.py A.npy B.npy OPT_PERM.npy HIREF_PERM(.npy, or .bin from the harness's savematch=)
import sys, numpy as np
from scipy.spatial import cKDTree
a=np.load(sys.argv[1]); b=np.load(sys.argv[2]); n=len(a)
def load(p):
    if p.endswith('.npy'): return np.load(p).astype(np.int64).ravel()
    return np.fromfile(p,dtype=np.int32).astype(np.int64)
so=load(sys.argv[3]); sh=load(sys.argv[4])
assert len(set(so))==n and len(set(sh))==n
c=lambda i,t: ((a[i]-b[t])**2).sum(-1)
co=c(np.arange(n),so); ch=c(np.arange(n),sh)
print(f"n={n} opt={co.mean():.6f} hiref={ch.mean():.6f} excess={ch.mean()/co.mean()-1:.4%}")
inv=np.empty(n,np.int64); inv[sh]=np.arange(n)
pi=inv[so]
seen=np.zeros(n,bool); cyc=[]
for i in range(n):
    if seen[i] or pi[i]==i: seen[i]=True; continue
    cur=[]; j=i
    while not seen[j]: seen[j]=True; cur.append(j); j=pi[j]
    cyc.append(np.array(cur))
nn=cKDTree(a).query(a,k=2)[0][:,1].mean()
rms=np.sqrt(co.mean())
tot=(ch-co).sum()
print(f"mean NN spacing {nn:.1f} um, RMS optimal displacement {rms:.1f} um; {len(cyc)} cycles, {sum(len(x) for x in cyc)} points ({sum(len(x) for x in cyc)/n:.1%}) moved")
rows=[]
for x in cyc:
    ex=(ch[x]-co[x]).sum()
    pts=a[x]; diam=np.sqrt(((pts.max(0)-pts.min(0))**2).sum())
    # net shift: how far HiRef's partner is from the optimal one, per point
    dist=np.sqrt(((b[sh[x]]-b[so[x]])**2).sum(-1)).mean()
    rows.append((len(x),ex,diam,dist))
rows=np.array(rows)
for lo,hi in [(2,2),(3,4),(5,16),(17,64),(65,256),(257,1024),(1025,10**9)]:
    m=(rows[:,0]>=lo)&(rows[:,0]<=hi)
    if m.sum()==0: continue
    print(f"len {lo:>5}-{hi if hi<10**9 else 'inf':>5}: cycles {int(m.sum()):6d} points {int(rows[m,0].sum()):7d} excess share {rows[m,1].sum()/tot:6.1%} median bbox diag {np.median(rows[m,2])/nn:6.1f} NN, mean |partner shift| {np.average(rows[m,3],weights=rows[m,0])/nn:5.2f} NN")
# partner shift distribution, excess-weighted
d=np.sqrt(((b[sh]-b[so])**2).sum(-1))/nn
ex=ch-co
print("points by |sigma_H(x)-sigma_opt(x)| in NN spacings (share of points, share of excess incl. negative):")
for lo,hi in [(0,0.01),(0.01,1),(1,2),(2,4),(4,8),(8,16),(16,1e9)]:
    m=(d>=lo)&(d<hi)
    print(f"  [{lo},{hi}): {m.mean():6.2%} pts, excess {ex[m].sum()/tot:7.1%}")
# rank of the optimal partner among the targets nearest HiRef's partner
tree=cKDTree(b)
k=256
_,idx=tree.query(b[sh],k=k)
hit=(idx==so[:,None])
rank=np.where(hit.any(1),hit.argmax(1),k)
moved=so!=sh
print("rank of opt partner among the targets nearest sigma_H(x) (moved points): ",
      {f"<= {r}":f"{(rank[moved]<=r).mean():.1%}" for r in (16,32,64,128,255)})
