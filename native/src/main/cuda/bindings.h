/*
 * The C prototypes behind the hand-written FFM bindings (kernels/src/main/java/zooscope/kernels/cuda):
 * CudaDriver binds these libcuda.so.1 symbols and Cublas these libcublas.so.13 ones, by their exported
 * names (cuda.h 13.0 maps e.g. cuMemAlloc to cuMemAlloc_v2 by a macro). Not compiled: a reference for
 * reading the FunctionDescriptors. CUdeviceptr and size_t are 64-bit (Java long), CUdevice and enums int,
 * handles and host pointers ADDRESS; device pointers passed to cuBLAS travel as 64-bit integers.
 */
typedef int CUresult, CUdevice, cublasStatus_t;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct cublasContext *cublasHandle_t;

/* libcuda.so.1 */
CUresult cuInit(unsigned int flags);
CUresult cuDriverGetVersion(int *version);
CUresult cuDeviceGetCount(int *count);
CUresult cuDeviceGet(CUdevice *device, int ordinal);
CUresult cuDeviceGetName(char *name, int len, CUdevice dev);
CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev);
CUresult cuDeviceGetAttribute(int *value, int attribute, CUdevice dev); /* 75/76: compute capability, 16: SMs */
CUresult cuDevicePrimaryCtxRetain(CUcontext *ctx, CUdevice dev);
CUresult cuCtxSetCurrent(CUcontext ctx);
CUresult cuCtxSynchronize(void);
CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t bytes);
CUresult cuMemFree_v2(CUdeviceptr dptr);
CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t bytes);
CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t bytes);
CUresult cuMemGetInfo_v2(size_t *free, size_t *total);
CUresult cuModuleLoadData(CUmodule *module, const void *image);
CUresult cuModuleGetFunction(CUfunction *f, CUmodule module, const char *name);
CUresult cuLaunchKernel(CUfunction f, unsigned gridX, unsigned gridY, unsigned gridZ, unsigned blockX, unsigned blockY,
                        unsigned blockZ, unsigned sharedBytes, CUstream stream, void **params, void **extra);
CUresult cuGetErrorName(CUresult error, const char **name);
CUresult cuGetErrorString(CUresult error, const char **text);

/* libcublas.so.13 */
cublasStatus_t cublasCreate_v2(cublasHandle_t *handle);
cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t handle, int transa, int transb, int m, int n, int k,
    const float *alpha, const float *A, int lda, long long strideA, const float *B, int ldb, long long strideB,
    const float *beta, float *C, int ldc, long long strideC, int batchCount);
cublasStatus_t cublasGemmStridedBatchedEx(cublasHandle_t handle, int transa, int transb, int m, int n, int k,
    const void *alpha, const void *A, int Atype, int lda, long long strideA, const void *B, int Btype, int ldb,
    long long strideB, const void *beta, void *C, int Ctype, int ldc, long long strideC, int batchCount,
    int computeType, int algo); /* CUDA_R_32F = 0, CUBLAS_COMPUTE_32F_FAST_TF32 = 77, CUBLAS_GEMM_DEFAULT = -1 */
const char *cublasGetStatusString(cublasStatus_t status);
