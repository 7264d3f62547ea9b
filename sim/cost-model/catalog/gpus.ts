import type { GpuSpec } from '../gpu-spec.js';

/**
 * GPUs by catalog name, from NVIDIA (and, for MI300X, AMD) datasheets: dense tensor figures (the datasheets' headline
 * numbers "with sparsity" halved), memory as stated, and interconnect bandwidth per direction
 * (NVLink totals on the datasheets are bidirectional; GPUs without NVLink use PCIe), and the
 * host PCIe link per direction (`pcieGBps`: the datasheets' PCIe figure is bidirectional).
 */
export const GPUS = {
  'a100-80gb': {
    // NVIDIA A100 Tensor Core GPU datasheet (SXM4 80GB): BF16 312 TFLOPS dense, no FP8,
    // 80 GB HBM2e at 2,039 GB/s, NVLink 600 GB/s bidirectional, PCIe Gen4 64 GB/s (bidirectional).
    name: 'A100-80GB', bf16Tflops: 312, memoryGiB: 80, memoryBandwidthGBps: 2039, interconnectGBps: 300, pcieGBps: 32,
  },
  'a100-40gb': {
    // NVIDIA A100 Tensor Core GPU datasheet (SXM4 40GB): BF16 312 TFLOPS dense, no FP8, 40 GB
    // HBM2 at 1,555 GB/s, NVLink 600 GB/s bidirectional, PCIe Gen4 64 GB/s (bidirectional).
    name: 'A100-40GB', bf16Tflops: 312, memoryGiB: 40, memoryBandwidthGBps: 1555, interconnectGBps: 300, pcieGBps: 32,
  },
  'h100-sxm': {
    // NVIDIA H100 Tensor Core GPU datasheet (SXM5): BF16 989 TFLOPS dense, FP8 1,979 dense,
    // 80 GB HBM3 at 3.35 TB/s, NVLink 900 GB/s bidirectional, PCIe Gen5 128 GB/s (bidirectional).
    name: 'H100-SXM', bf16Tflops: 989, fp8Tflops: 1979, memoryGiB: 80, memoryBandwidthGBps: 3350, interconnectGBps: 450, pcieGBps: 64,
  },
  h200: {
    // NVIDIA H200 Tensor Core GPU datasheet (SXM): same Hopper compute as H100 SXM (989 / 1,979
    // TFLOPS dense), 141 GB HBM3e at 4.8 TB/s, NVLink 900 GB/s bidirectional, PCIe Gen5 128 GB/s.
    name: 'H200', bf16Tflops: 989, fp8Tflops: 1979, memoryGiB: 141, memoryBandwidthGBps: 4800, interconnectGBps: 450, pcieGBps: 64,
  },
  l40s: {
    // NVIDIA L40S datasheet: BF16 362 TFLOPS dense (733 with sparsity), FP8 733 dense, 48 GB
    // GDDR6 at 864 GB/s, no NVLink: PCIe Gen4 x16, 64 GB/s bidirectional.
    name: 'L40S', bf16Tflops: 362, fp8Tflops: 733, memoryGiB: 48, memoryBandwidthGBps: 864, interconnectGBps: 32, pcieGBps: 32,
  },
  a30: {
    // NVIDIA A30 datasheet: BF16 165 TFLOPS dense (330 with sparsity), no FP8, 24 GB HBM2 at
    // 933 GB/s, NVLink bridge 200 GB/s bidirectional, PCIe Gen4 64 GB/s.
    name: 'A30', bf16Tflops: 165, memoryGiB: 24, memoryBandwidthGBps: 933, interconnectGBps: 100, pcieGBps: 32,
  },
  l4: {
    // NVIDIA L4 datasheet: BF16 121 TFLOPS dense (242 with sparsity), FP8 242.5 dense, 24 GB
    // GDDR6 at 300 GB/s, no NVLink: PCIe Gen4 x16, 64 GB/s bidirectional.
    name: 'L4', bf16Tflops: 121, fp8Tflops: 242.5, memoryGiB: 24, memoryBandwidthGBps: 300, interconnectGBps: 32, pcieGBps: 32,
  },
  a40: {
    // NVIDIA A40 datasheet: BF16 149.7 TFLOPS dense (299.4 with sparsity), no FP8, 48 GB GDDR6 at
    // 696 GB/s, NVLink bridge 112.5 GB/s bidirectional, PCIe Gen4 x16 64 GB/s bidirectional.
    name: 'A40', bf16Tflops: 149.7, memoryGiB: 48, memoryBandwidthGBps: 696, interconnectGBps: 56.25, pcieGBps: 32,
  },
  a10g: {
    // AWS's A10G (EC2 G5; NVIDIA publishes no datasheet): 24 GB GDDR6 at 600 GB/s like the A10,
    // 70 TFLOPS FP16/BF16 tensor dense against the A10's 125 (Baseten, "NVIDIA A10 vs A10G for
    // ML model inference", spec table), no FP8, no NVLink: PCIe Gen4 x16, 64 GB/s bidirectional.
    name: 'A10G', bf16Tflops: 70, memoryGiB: 24, memoryBandwidthGBps: 600, interconnectGBps: 32, pcieGBps: 32,
  },
  l40: {
    // NVIDIA L40 datasheet: BF16 181.05 TFLOPS dense (362.1 with sparsity), FP8 362 dense, 48 GB
    // GDDR6 at 864 GB/s, no NVLink: PCIe Gen4 x16, 64 GB/s bidirectional.
    name: 'L40', bf16Tflops: 181.05, fp8Tflops: 362, memoryGiB: 48, memoryBandwidthGBps: 864, interconnectGBps: 32, pcieGBps: 32,
  },
  'rtx-a6000': {
    // NVIDIA RTX A6000 (GA102, the A40's chip with faster memory; spec table NVIDIA confirmed to
    // ServeTheHome, "NVIDIA RTX A6000 48GB GPU drops Quadro designation"): 48 GB GDDR6 at 768 GB/s,
    // NVLink bridge 112.5 GB/s bidirectional, PCIe Gen4 x16; FP16/BF16 tensor (FP32 accumulate)
    // 154.8 TFLOPS dense, 309.7 with sparsity (Microway's Ampere comparison); no FP8.
    name: 'RTX-A6000', bf16Tflops: 154.8, memoryGiB: 48, memoryBandwidthGBps: 768, interconnectGBps: 56.25, pcieGBps: 32,
  },
  'rtx-6000-ada': {
    // NVIDIA RTX 6000 Ada Generation datasheet: 48 GB GDDR6 at 960 GB/s, 1,457 TFLOPS tensor (FP8
    // with sparsity): FP8 728.5 dense, BF16 (FP32 accumulate, full rate on this part) 364.25 dense;
    // no NVLink: PCIe Gen4 x16, 64 GB/s bidirectional.
    name: 'RTX-6000-Ada', bf16Tflops: 364.25, fp8Tflops: 728.5, memoryGiB: 48, memoryBandwidthGBps: 960, interconnectGBps: 32, pcieGBps: 32,
  },
  'rtx-pro-6000': {
    // NVIDIA RTX PRO 6000 Blackwell (GTC 2025 announcement and product page): 96 GB GDDR7 at
    // 1,792 GB/s, 4,000 AI TOPS (FP4 with sparsity). Dense FP4 2,000, FP8 1,000 and BF16 500
    // follow from Blackwell's tensor rates (sparsity 2×, each precision halving 2×); no NVLink:
    // PCIe Gen5 x16, 128 GB/s bidirectional.
    name: 'RTX-PRO-6000', bf16Tflops: 500, fp8Tflops: 1000, memoryGiB: 96, memoryBandwidthGBps: 1792, interconnectGBps: 64, pcieGBps: 64,
  },
  h20: {
    // NVIDIA H20 (HGX H20 product brief): BF16 148 TFLOPS dense, FP8 296 dense, 96 GB HBM3 at
    // 4.0 TB/s, NVLink 900 GB/s bidirectional, PCIe Gen5 x16 128 GB/s bidirectional.
    name: 'H20', bf16Tflops: 148, fp8Tflops: 296, memoryGiB: 96, memoryBandwidthGBps: 4000, interconnectGBps: 450, pcieGBps: 64,
  },
  mi300x: {
    // AMD Instinct MI300X datasheet: BF16 1,307.4 TFLOPS dense (2,614.9 with sparsity), FP8
    // 2,614.9 dense, 192 GB HBM3 at 5.3 TB/s; 7 Infinity Fabric links of 128 GB/s bidirectional
    // (896 GB/s aggregate, 448 per direction, what a multi-ring all-reduce can spread over);
    // host link PCIe Gen5 x16, 128 GB/s bidirectional.
    name: 'MI300X', bf16Tflops: 1307.4, fp8Tflops: 2614.9, memoryGiB: 192, memoryBandwidthGBps: 5300, interconnectGBps: 448, pcieGBps: 64,
  },
  b200: {
    // NVIDIA HGX B200 datasheet, per GPU (8-GPU totals / 8): BF16 2.25 PFLOPS dense (36 PF
    // sparse / 8 / 2), FP8 4.5 PFLOPS dense, 180 GB HBM3e at 7.7 TB/s, NVLink 5 1.8 TB/s
    // bidirectional. Host link: HGX B200 boards attach to the host CPUs over PCIe Gen5 x16
    // (128 GB/s bidirectional); the GPU's own Gen6 capability is not what a host copy sees.
    name: 'B200', bf16Tflops: 2250, fp8Tflops: 4500, memoryGiB: 180, memoryBandwidthGBps: 7700, interconnectGBps: 900, pcieGBps: 64,
  },
} as const satisfies Record<string, GpuSpec>;
